"""Writes benchmark results into ``docs/benchmarks.md``, one section per benchmark.

Each benchmark owns the text between ``<!-- bench:NAME:start -->`` and ``<!-- bench:NAME:end -->``
and replaces only that, headed by the machine it ran on and the date, so the file collects the
latest figures of every benchmark.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

HEADER = """# Benchmarks

Figures written by `make bench`; each section says on which machine and when it was measured.
"""


def machine() -> str:
    """One line describing CPU, cores, memory, OS and the PostgreSQL server."""
    cpu = _first_line_with("/proc/cpuinfo", "model name").split(":", 1)[-1].strip() or platform.processor()
    memory_kb = int(_first_line_with("/proc/meminfo", "MemTotal").split()[1] or 0)
    postgres = _command(["psql", "--version"])
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory_kb / 1024 / 1024:.0f} GiB RAM; "
        f"{platform.platform()}; Python {platform.python_version()}; {postgres}"
    )


def write_section(path: Path, name: str, body: str, title: str | None = None) -> None:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"<!-- bench:{name}:start -->\n## {title or name.capitalize()}\n\n"
        f"Measured {stamp} on: {machine()}\n\n{body.strip()}\n<!-- bench:{name}:end -->"
    )
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(rf"<!-- bench:{re.escape(name)}:start -->.*?<!-- bench:{re.escape(name)}:end -->", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip() + "\n", encoding="utf-8")


def table(header: Sequence[str], rows: Iterable[Sequence[object]], left: int = 1) -> str:
    """A Markdown table: the first ``left`` columns (names) aligned left, the others (figures) right."""
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * left + " ---: |" * (len(header) - left)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _first_line_with(path: str, prefix: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return next((line for line in handle if line.startswith(prefix)), "")
    except OSError:
        return ""


def _command(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "PostgreSQL version unknown"
