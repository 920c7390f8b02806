"""`make bench` keeps working: every part of ``scripts/bench.sh`` on a tiny catalogue (seconds).

Run by ``make test`` (scripts/test.sh) in two pieces, as ``BENCH_PARTS`` selects them (default: all):
the catalogue parts beside the other suites, on the bench portal (BENCH_PORT, 5057); the pipeline and
executors parts after the pipeline tests, on their test portal (E2E_PORT, 5055) and replicas (8081-8084).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "docs" / "benchmarks.md"
# What each part (as BENCH_PARTS names it) writes once it has measured, at the tiny sizes of --smoke.
PARTS = {
    "search": "Index rebuild (`ckan search-index rebuild` code path, 20 datasets)",
    "dcat": "| whole catalogue, s |",
    "spatial": "District assignment alone:",
    "backends": "| index rebuild, datasets/s (s) |",
    "parking": "(20 car parks × 2 days × 288)",
    "pages": "| dataset | `/dataset/datensatz-",
    "lighthouse": "| home | `/` |",  # Lighthouse ran and scored an empty portal's home page (not judged in smoke)
    "pipeline": "| 200-feature layer, first harvest end to end |",
    # a real Airflow with 1 Celery worker harvested the layer and a source (a failed run fails the benchmark)
    "executors": "| CeleryExecutor, 1 worker | 2 | ",
}


def test_every_benchmark_runs_on_a_tiny_catalogue(tmp_path):
    figures_before = hashlib.sha256(FIGURES.read_bytes()).hexdigest()
    report = tmp_path / "benchmarks.md"

    run = subprocess.run(
        [str(ROOT / "scripts" / "bench.sh"), "--smoke", str(report)],
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert run.returncode == 0, f"scripts/bench.sh --smoke failed:\n{run.stdout[-6000:]}\n{run.stderr[-6000:]}"
    text = report.read_text(encoding="utf-8")
    selected = os.environ.get("BENCH_PARTS", "").split() or list(PARTS)
    assert set(selected) <= set(PARTS), f"BENCH_PARTS names parts this test does not know: {selected}"
    for part in selected:
        figure, marker = PARTS[part], {"pipeline": "pipelines", "backends": "search-backends"}.get(part, part)
        start, end = f"<!-- bench:{marker}:start -->", f"<!-- bench:{marker}:end -->"
        assert start in text, f"the {part} benchmark wrote no figures:\n{text}"
        assert figure in text[text.index(start) : text.index(end)], f"the {part} benchmark's figures:\n{text}"
    if "backends" in selected:  # the parity check: every query answered alike by PostgreSQL and Solr
        parity = text[text.index("<!-- bench:parity:start -->") : text.index("<!-- bench:parity:end -->")]
        assert "queries** have the same hit count" in parity and "✘" not in parity, parity
    assert hashlib.sha256(FIGURES.read_bytes()).hexdigest() == figures_before, "a smoke run changed docs/benchmarks.md"
