"""Search benchmark: ``package_search`` latency and index rebuild throughput at catalogue scale.

Builds a scratch CKAN database with a generated catalogue (``bench/catalogue.py``), rebuilds the
PostgreSQL search index through ``ckan search-index rebuild``'s code path, then times
``package_search`` as an anonymous visitor for the query shapes the portal serves, and a
``package_show`` of one dataset in the same run for comparison. Results go to stdout and into the
search section of ``docs/benchmarks.md``.

Usage (from ``make bench``): ``python -m bench.search_bench [--datasets N]`` with ``var/bench.ini``
written by ``scripts/ckan-config.sh bench``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import ckan_app, report
from bench.catalogue import ORGANIZATIONS, sample_words

ROOT = Path(__file__).resolve().parents[1]
FACETS = ["organization", "groups", "tags", "res_format", "license_id"]
TARGET_P95_MS = 50.0
TARGET_REBUILD_PER_S = 200.0
UNCACHED = "5 facet fields, all datasets, facet cache off"
SHOW = "`package_show` of one dataset"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200, help="timed runs per query shape")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)

    app = ckan_app.load_app(plugins="chemnitz_search")  # the search backend alone
    with app._wsgi_app.test_request_context():
        results = _run(args.datasets, args.repeat)
    markdown = _markdown(results, args.datasets, args.repeat)
    print(markdown)
    report.write_section(args.report, "search", markdown)
    return 0


def _run(count: int, repeat: int) -> dict[str, Any]:
    ckan_app.ensure_catalogue(count)
    rebuild_seconds = ckan_app.rebuild_index()
    timings = {name: ckan_app.timed(factory, repeat) for name, factory in shapes(count).items()}
    return {"rebuild_seconds": rebuild_seconds, "indexed": count, "timings": timings}


def shapes(count: int, seed: int = 7) -> dict[str, Callable[[], Callable[[], Any]]]:
    """The query shapes the portal serves, each a factory of one call (random words, organizations and
    datasets from a fixed seed); the Solr side-by-side (``bench/search_backends.py``) times the same."""
    import ckan.model as model
    from ckan.logic import get_action

    rng = random.Random(seed)
    words = list(sample_words())
    formats = ["CSV", "GeoJSON", "JSON", "PDF"]
    dataset_ids = [row[0] for row in model.Session.query(model.Package.id).filter_by(private=False)]

    def package_search(**params: Any) -> Callable[[], Any]:
        def call() -> Any:
            return get_action("package_search")({"user": "", "ignore_auth": False}, dict(params))

        return call

    return {
        "German full-text word (`q=Schule` …)": lambda: package_search(q=rng.choice(words)),
        "`fq` organization + res_format": lambda: package_search(
            fq=f"organization:{rng.choice(ORGANIZATIONS)[0]} +res_format:{rng.choice(formats)}"
        ),
        "5 facet fields, all datasets": lambda: package_search(**{"facet.field": FACETS, "rows": 20}),
        UNCACHED: lambda: _uncached(package_search(**{"facet.field": FACETS, "rows": 20})),
        "sort by metadata_modified": lambda: package_search(sort="metadata_modified desc", rows=20),
        "deep paging (start=5000)": lambda: package_search(start=min(5000, count // 2), rows=20),
        SHOW: lambda: _show(get_action, rng.choice(dataset_ids)),
    }


def _uncached(call: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``call`` with the facet cache switched off, to show the cost of counting."""
    from ckan.common import config

    def uncached() -> Any:
        config["ckanext.chemnitz.search.facet_cache_ttl"] = 0
        try:
            return call()
        finally:
            config["ckanext.chemnitz.search.facet_cache_ttl"] = 3600

    return uncached


def _show(get_action: Any, dataset_id: str) -> Callable[[], Any]:
    return lambda: get_action("package_show")({"user": "", "ignore_auth": False}, {"id": dataset_id})


def _markdown(results: dict[str, Any], count: int, repeat: int) -> str:
    rate = results["indexed"] / results["rebuild_seconds"]
    timings = results["timings"]
    show = statistics.median(timings[SHOW])
    lines = [
        f"Catalogue: {count:,} generated datasets (German titles and descriptions, 2–6 tags, 1–5 "
        "resources, 8 organizations, 5 % private); anonymous visitor; "
        f"{repeat} timed runs per query after warm-up; in-process action calls (no HTTP).",
        "",
        "| query | p50 ms | p95 ms | target p95 | ratio to `package_show` (p50) |",
        "| --- | ---: | ---: | --- | ---: |",
    ]
    for name, samples in timings.items():
        p50, p95 = ckan_app.percentile(samples, 0.5), ckan_app.percentile(samples, 0.95)
        is_show = name == SHOW
        target = "" if is_show or name == UNCACHED else ("≤ 50 ms ✔" if p95 <= TARGET_P95_MS else "≤ 50 ms ✘")
        ratio = "1.0" if is_show else f"{p50 / show:.1f}"
        lines.append(f"| {name} | {p50:.1f} | {p95:.1f} | {target} | {ratio} |")
    verdict = "✔" if rate >= TARGET_REBUILD_PER_S else "✘"
    lines += [
        "",
        "Facet counts are cached in Redis per index generation (every index change starts a new "
        "generation); the *cache off* row is the cost of counting on every request.",
        "",
        f"Index rebuild (`ckan search-index rebuild` code path, {count:,} datasets): "
        f"{results['rebuild_seconds']:.1f} s = **{rate:.0f} datasets/s** (target ≥ 200/s {verdict}).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
