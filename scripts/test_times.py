"""The time table `make test` ends with: per suite tests, passed, failed, seconds, and the slowest tests.

Each pytest run of ``scripts/test.sh`` writes a JUnit XML report into ``var/test-reports/``; this
reads all of them, so the table also covers a run that stopped at a failing step. A suite is a
folder of ``tests/`` (``tests/search``, ``tests/pipelines`` …). The table is printed and written to
``var/test-times.md``, so two runs can be compared.

Usage: ``python scripts/test_times.py REPORT_DIR OUTPUT_MD [WALL_SECONDS [SETUP_SECONDS]]`` (standard library only:
it runs with whichever Python is at hand).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SLOWEST = 15
# The reports of scripts/test.sh whose suites are named by their folder alone.
PLAIN_REPORTS = {"ckan", "bench", "bench-pipeline", "pipelines", "pipelines-own-airflow", "live"}


@dataclass
class Suite:
    tests: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    cases: list[tuple[float, str]] = field(default_factory=list)


def suite_of(classname: str) -> str:
    """``tests.search.ckan_suite.test_action_get.TestX`` → ``search``."""
    parts = classname.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "tests" else parts[0]


def read_reports(folder: Path) -> dict[str, Suite]:
    suites: dict[str, Suite] = defaultdict(Suite)
    for report in sorted(folder.glob("*.xml")):
        # A report of its own for suites run again on another backend: "solr: spatial", not "spatial".
        prefix = "" if report.stem in PLAIN_REPORTS else f"{report.stem}: "
        for case in ET.parse(report).getroot().iter("testcase"):
            suite = suites[prefix + suite_of(case.get("classname", ""))]
            seconds = float(case.get("time") or 0)
            outcome = {child.tag for child in case}
            suite.tests += 1
            suite.seconds += seconds
            if outcome & {"failure", "error"}:
                suite.failed += 1
            elif "skipped" in outcome:
                suite.skipped += 1
            else:
                suite.passed += 1
            suite.cases.append((seconds, f"{case.get('classname')}::{case.get('name')}"))
    return suites


def table(suites: dict[str, Suite], wall_seconds: float | None, setup_seconds: float | None = None) -> str:
    lines = [
        "| suite | tests | passed | failed | skipped | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    total = Suite()
    for name, suite in sorted(suites.items(), key=lambda item: -item[1].seconds):
        lines.append(
            f"| {name} | {suite.tests} | {suite.passed} | {suite.failed} | {suite.skipped} | {suite.seconds:.0f} |"
        )
        for attribute in ("tests", "passed", "failed", "skipped", "seconds"):
            setattr(total, attribute, getattr(total, attribute) + getattr(suite, attribute))
    lines.append(
        f"| **all** | {total.tests} | {total.passed} | {total.failed} | {total.skipped} | {total.seconds:.0f} |"
    )
    if wall_seconds is not None and setup_seconds is not None:
        lines += ["", f"`make test` took {wall_seconds / 60:.1f} minutes in all: {setup_seconds / 60:.1f} to set up "
                  f"(installs, environments, test databases) and {(wall_seconds - setup_seconds) / 60:.1f} for lint "
                  "and tests (test portals included)."]  # fmt: skip
    elif wall_seconds is not None:
        lines += ["", f"`make test` took {wall_seconds / 60:.1f} minutes in all (set-up, lint, test portals)."]
    slowest = sorted((case for suite in suites.values() for case in suite.cases), reverse=True)[:SLOWEST]
    lines += ["", f"The {len(slowest)} slowest tests:", "", "| seconds | test |", "| ---: | --- |"]
    lines += [f"| {seconds:.1f} | `{name}` |" for seconds, name in slowest]
    return "\n".join(lines) + "\n"


def main() -> None:
    folder, output = Path(sys.argv[1]), Path(sys.argv[2])
    wall_seconds = float(sys.argv[3]) if len(sys.argv) > 3 else None
    setup_seconds = float(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] else None
    text = table(read_reports(folder), wall_seconds, setup_seconds)
    output.write_text("# Test times\n\n" + text)
    print(text)


if __name__ == "__main__":
    main()
