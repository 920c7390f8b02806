"""Spatial search benchmark: ``ext_bbox`` at catalogue scale and the district assignment at indexing.

On the generated catalogue (10,000 datasets, loaded unless it is there; a third cover the whole
city, the others the bounding box of the district their title names). Publishes the real
Stadtteile fixture as the districts dataset, rebuilds the index with the portal's plugins (every
dataset's coverage intersected with the 39 districts), then times ``package_search`` as an
anonymous visitor with and without ``ext_bbox`` in the same run, interleaved.

Usage (from ``make bench``): ``python -m bench.spatial_bench [--datasets N] [--repeat N]``
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import ckan_app, report
from bench.catalogue import FIXTURES, district_boxes
from tests.dcat.examples import school_dataset  # a complete DCAT-AP.de dataset of the city

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.5
# Query shapes, each timed with and without the box around the Kaßberg.
KASSBERG = district_boxes()["Kaßberg"]
SHAPES = {
    "all datasets, 5 facets": {"facet.field": '["organization", "tags", "res_format", "license_id", "stadtteil"]'},
    "German word (`q=Schule`)": {"q": "Schule"},
    "`fq` organization": {"fq": 'organization:"tiefbauamt"'},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200, help="timed runs per query shape and variant")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)

    app = ckan_app.load_app()
    with app._wsgi_app.test_request_context():
        results = _run(args.datasets, args.repeat)
    markdown = _markdown(results, args.repeat)
    print(markdown)
    report.write_section(args.report, "spatial", markdown, title="Spatial search")
    return 0


def _run(count: int, repeat: int) -> dict[str, Any]:
    import ckan.model as model
    from ckan.logic import get_action

    from ckanext.chemnitz.spatial import districts, extent

    ckan_app.ensure_catalogue(count)
    _publish_districts()
    datasets = model.Session.query(model.Package).filter_by(state="active").count()
    rebuild_seconds = ckan_app.rebuild_index()
    # The assignment alone: every dataset's coverage against the 39 districts.
    coverages = [extent.coverage({"spatial_coverage": json.loads(value)})
                 for (value,) in model.Session.execute(_COVERAGES) if value]  # fmt: skip
    known = districts.current()
    started = time.perf_counter()
    assigned = sum(len(known.covering(c)) for c in coverages if c is not None)
    assignment_seconds = time.perf_counter() - started

    search = get_action("package_search")
    box = ",".join(map(str, KASSBERG))
    samples: dict[str, dict[str, list[float]]] = {}
    counts: dict[str, dict[str, int]] = {}
    for name, params in SHAPES.items():
        variants = {"without": dict(params), "with": dict(params, ext_bbox=box)}
        counts[name] = {v: search({"user": ""}, dict(p, rows=20))["count"] for v, p in variants.items()}
        samples[name] = {variant: [] for variant in variants}
        for run in range(repeat + repeat // 10):
            for variant, variant_params in variants.items():
                started = time.perf_counter()
                search({"user": ""}, dict(variant_params, rows=20))
                if run >= repeat // 10:  # warm-up
                    samples[name][variant].append((time.perf_counter() - started) * 1000)
    return {
        "datasets": datasets,
        "rebuild_seconds": rebuild_seconds,
        "coverages": len([c for c in coverages if c is not None]),
        "assigned": assigned,
        "assignment_seconds": assignment_seconds,
        "samples": samples,
        "counts": counts,
    }


def _publish_districts() -> None:
    """The Stadtteile fixture as the districts dataset, uploaded like the harvest uploads it."""
    import ckan.model as model
    from ckan.logic import get_action
    from werkzeug.datastructures import FileStorage

    site_user = get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": site_user, "ignore_auth": True}
    organization = model.Session.query(model.Group).filter_by(is_organization=True).first()
    dataset = school_dataset(organization.id, name="stadtteile", title="Stadtteile", resources=[],
                             notes="Die 39 Stadtteile von Chemnitz.")  # fmt: skip
    get_action("package_create")(context, dataset)
    content = (FIXTURES / "Stadtteile.geojson").read_bytes()
    upload = FileStorage(io.BytesIO(content), filename="stadtteile.geojson", content_type="application/geo+json")
    get_action("resource_create")(context, {"package_id": "stadtteile", "name": "Stadtteile (GeoJSON)",
                                            "format": "GeoJSON", "upload": upload})  # fmt: skip


# CKAN 2.11+ keeps extras in the package row (jsonb).
_COVERAGES = sa.text("SELECT extras ->> 'spatial_coverage' FROM package WHERE state = 'active' AND type = 'dataset'")


def _markdown(results: dict[str, Any], repeat: int) -> str:
    lines = [
        f"Catalogue: the search benchmark's {results['datasets']:,} generated datasets, a third covering the whole "
        "city and the others the bounding box of a district; the real Stadtteile (39 polygons) published as the "
        f"districts dataset. Anonymous visitor, in-process action calls, {repeat} timed runs per variant, "
        "interleaved, after warm-up. Searched box: the Kaßberg's bounding box.",
        "",
        "| query | hits without / with box | p50 ms without | p50 ms with | p95 ms without | p95 ms with | "
        "p95 ratio (target ≤ 1.5) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, variants in results["samples"].items():
        p95 = {variant: ckan_app.percentile(samples, 0.95) for variant, samples in variants.items()}
        p50 = {variant: statistics.median(samples) for variant, samples in variants.items()}
        ratio = p95["with"] / p95["without"]
        counts = results["counts"][name]
        lines.append(
            f"| {name} | {counts['without']:,} / {counts['with']:,} | {p50['without']:.1f} | {p50['with']:.1f} "
            f"| {p95['without']:.1f} | {p95['with']:.1f} | {ratio:.2f} {'✔' if ratio <= TARGET_RATIO else '✘'} |"
        )
    per_second = results["coverages"] / results["assignment_seconds"]
    lines += [
        "",
        f"District assignment alone: {results['coverages']:,} coverages against 39 districts in "
        f"{results['assignment_seconds']:.2f} s = **{per_second:,.0f} datasets/s** ({results['assigned']:,} "
        "assignments). Index rebuild with the portal's plugins, assignment included: "
        f"{results['rebuild_seconds']:.1f} s = {results['datasets'] / results['rebuild_seconds']:,.0f} datasets/s.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
