"""Pipeline benchmark: the harvest steps at 10,000 features, reprojection against bare pyproj,
DataStore loading against PostgreSQL ``COPY``, and an unchanged rerun of every source.

Runs in ``.venv/airflow`` against the throw-away portal of ``scripts/e2e-portal.sh`` (started by
``make bench``) and the department-source replicas (started here, on their usual ports). The
steps are the functions the DAG tasks call (``pipelines.steps``), timed in this process; Airflow's
own scheduling overhead is not part of the figures. The 10,000-feature layer is a CSV export shaped
like the city's parking exports (Web-Mercator X/Y inside Chemnitz, deterministic), served over HTTP
from a temporary folder.

Usage (from ``make bench``): ``python -m bench.pipeline_bench [--features N] [--sources ID ...]``
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psycopg2
import pyproj
import shapely
import yaml

from bench import report
from pipelines import config as sources
from pipelines import steps, store
from pipelines.publish import ckan as publisher
from pipelines.transform import geometry
from replica.run import DEFAULT_PORTS
from replica.run import replicas as run_replicas
from tests.support import portal as test_portal

ROOT = Path(__file__).resolve().parents[1]
TARGET_REPROJECTION_RATIO = 0.5
TARGET_COPY_RATIO = 0.3
TARGET_RERUN_FRACTION = 0.2
# Chemnitz's extent in Web Mercator metres (from the Stadtteile fixture's bounds).
CITY_3857 = (1_423_700.0, 6_574_000.0, 1_452_600.0, 6_605_500.0)
# Always harvested: its polygons are the second layer of the reprojection comparison.
POLYGONS = "stadtteile"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=25, help="timed runs of the reprojection comparison")
    parser.add_argument(
        "--sources", nargs="+", metavar="ID", help=f"fixture sources harvested (default: all; {POLYGONS} always)"
    )
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    fixtures = [sources.load(path) for path in sources.all_paths()]
    if args.sources is not None:
        if unknown := set(args.sources) - {c.id for c in fixtures}:
            parser.error(f"no source configuration for {', '.join(sorted(unknown))}")
        fixtures = [c for c in fixtures if c.id in {*args.sources, POLYGONS}]

    portal = test_portal.read_env(test_portal.ENV)
    with tempfile.TemporaryDirectory() as folder, run_replicas(Path(folder) / "replicas", DEFAULT_PORTS):
        layer_url = _serve(Path(folder), args.features)
        big = _layer_config(layer_url, args.features, Path(folder))
        results: dict[str, Any] = {"features": args.features}
        # The fixture sources first: the portal's workers do their one-off start-up work (seconds
        # at the first dataset and the first DataStore call) there, not in the layer's figures.
        results["first"] = sum(_harvest(c, Path(folder) / f"{c.id}-1", portal)["total"] for c in fixtures)
        results["layer"] = _harvest(big, Path(folder) / "layer-1", portal)
        results["first"] += results["layer"]["total"]
        again = _harvest(big, Path(folder) / "layer-2", portal)
        results["rerun_layer"] = again
        results["rerun"] = again["total"] + sum(
            _harvest(c, Path(folder) / f"{c.id}-2", portal)["total"] for c in fixtures
        )
        results["reprojection"] = _reprojection(Path(folder) / "layer-1", args.repeat)
        results["reprojection_polygons"] = _reprojection(Path(folder) / f"{POLYGONS}-1", args.repeat)
        results["datastore"] = _datastore_against_copy(big, Path(folder) / "layer-1", portal)
    markdown = _markdown(results, len(fixtures))
    print(markdown)
    report.write_section(args.report, "pipelines", markdown)
    return 0


def _serve(folder: Path, count: int) -> str:
    """Write the layer and serve ``folder`` on a free loopback port for the rest of the run."""
    rng = random.Random(2026)
    west, south, east, north = CITY_3857
    lines = ["OBJECTID;NUMMER;LAGE;KAPAZITAET;KOSTEN;BEMERKUNG;X;Y"]  # the city's export's columns
    for number in range(1, count + 1):
        x, y = rng.uniform(west, east), rng.uniform(south, north)
        lines.append(
            f"{number};{number};Stellplatz {number}, Chemnitz;{rng.randint(1, 400)};"
            f"{rng.choice(['kostenfrei', '1,50 € je Stunde', 'Parkschein'])};;"
            f"{x:.3f};{y:.3f}".replace(".", ",")
        )
    (folder / "layer.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    handler = functools.partial(_QuietFiles, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/layer.csv"


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def layer_document(url: str, count: int, layer_id: str = "benchmark_layer", name: str = "") -> dict[str, Any]:
    """The coach-parking source's configuration (its YAML document) pointed at the generated layer."""
    document = yaml.safe_load((sources.SOURCES / "parkplaetze_reisebus.yaml").read_text(encoding="utf-8"))
    source = dict(document["source"], endpoints={"replica": url}, delimiter=";", decimal=",", encoding="utf-8")
    dataset = dict(
        document["dataset"],
        name=name or f"benchmark-{count}-objekte",
        title=f"Benchmark: {count:,} Stellplätze".replace(",", "."),
    )
    return dict(document, id=layer_id, source=source, dataset=dataset)


def _layer_config(url: str, count: int, folder: Path) -> sources.SourceConfig:
    path = folder / "benchmark_layer.yaml"
    path.write_text(yaml.safe_dump(layer_document(url, count), allow_unicode=True), encoding="utf-8")
    return sources.load(path)


def _harvest(config: sources.SourceConfig, work: Path, portal: dict[str, str]) -> dict[str, float]:
    """Seconds of each step of one harvest of ``config``, as the DAG runs them."""
    timings: dict[str, float] = {}

    def timed(name: str, call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = call()
        timings[name] = time.perf_counter() - started
        return result

    url, token = portal["CKAN_URL"], portal["CKAN_API_TOKEN"]
    extracted = timed("extract", lambda: steps.extract(config, work, steps.previous_run(config, url, token)))
    transformed = timed(
        "transform",
        lambda: steps.already_published(extracted) or steps.transform(config, extracted, work),
    )
    published = timed("publish", lambda: steps.publish(config, transformed, url, token))
    timed("record", lambda: steps.record(config, extracted, transformed, published, url, token, f"bench-{time.time()}"))
    timings["total"] = sum(timings.values())
    timings["changed"] = float(published["changed"])
    return timings


def _reprojection(work: Path, repeat: int) -> dict[str, float]:
    """Coordinates/s of the pipeline's reprojection (EPSG:25833 → WGS 84) and of bare pyproj on the same coordinates."""
    frame = geometry.reproject(store.read_frame(work / "raw.parquet"), geometry.ETRS89_UTM33)
    coordinates = shapely.get_coordinates(frame.geometry.to_numpy())
    xs, ys = np.ascontiguousarray(coordinates[:, 0]), np.ascontiguousarray(coordinates[:, 1])
    transformer = pyproj.Transformer.from_crs(geometry.ETRS89_UTM33, geometry.WGS84, always_xy=True)

    def best(call: Callable[[], Any]) -> float:
        call()
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            runs.append(time.perf_counter() - started)
        return min(runs)

    # What the transform step does with the layer: coordinate arrays for points, geometries otherwise.
    if geometry.all_points(frame):
        ours = best(lambda: geometry.point_coordinates(frame, geometry.WGS84))
    else:
        ours = best(lambda: geometry.reproject(frame, geometry.WGS84))
    bare = best(lambda: transformer.transform(xs, ys))
    count = len(coordinates)
    return {"features": len(frame), "coordinates": count, "ours": count / ours, "bare": count / bare}


def _datastore_against_copy(config: sources.SourceConfig, work: Path, portal: dict[str, str]) -> dict[str, float]:
    """Rows/s of the pipeline's DataStore load into a new table, and of ``COPY`` of the same rows.

    ``COPY`` runs twice: into a DataStore table that ``datastore_create`` made for the same columns
    and key (CKAN's unique index, full-text trigger and full-text indexes: the work any load into
    the DataStore has to do), and into a plain table without any of them.
    """
    import json

    records = json.loads((work / "records.json").read_text(encoding="utf-8"))
    columns = publisher.datastore_columns(config.fields, ["lon", "lat"])
    ckan = publisher.connect(portal["CKAN_URL"], portal["CKAN_API_TOKEN"])
    dataset = ckan.action.package_show(id=config.dataset["name"])

    def new_resource(name: str) -> dict[str, Any]:
        return ckan.action.resource_create(
            package_id=dataset["id"], name=name, url="http://127.0.0.1/ladetest.csv", format="CSV"
        )

    resource = new_resource("DataStore-Ladetest")
    started = time.perf_counter()
    publisher.load_datastore(ckan, resource, columns, config.key, records, publisher.PublishSummary(dataset="bench"))
    pipeline_seconds = time.perf_counter() - started
    ckan.action.resource_delete(id=resource["id"])

    names = [c["id"] for c in columns]
    buffer = io.StringIO()
    for record in records:
        buffer.write("\t".join(_copy_value(record.get(name)) for name in names) + "\n")
    target = new_resource("COPY-Vergleich")
    ckan.action.datastore_create(resource_id=target["id"], fields=list(columns), primary_key=[config.key], force=True)
    types = {"int": "integer", "int4": "integer", "int8": "bigint", "float8": "double precision"}
    ddl = ", ".join(f'"{c["id"]}" {types.get(c["type"], c["type"])}' for c in columns)
    datastore = test_portal.configuration()["ckan.datastore.write_url"]
    with psycopg2.connect(datastore) as connection, connection.cursor() as cursor:
        into_datastore = _copy_seconds(cursor, f'"{target["id"]}"', names, buffer)
        cursor.execute(f"CREATE TEMP TABLE copy_plain ({ddl})")
        plain = _copy_seconds(cursor, "copy_plain", names, buffer)
        connection.rollback()
    ckan.action.resource_delete(id=target["id"])
    rows = len(records)
    return {
        "rows": rows,
        "pipeline": rows / pipeline_seconds,
        "copy": rows / into_datastore,
        "copy_plain": rows / plain,
    }


def _copy_seconds(cursor: Any, table: str, names: list[str], rows: io.StringIO) -> float:
    rows.seek(0)
    quoted = ", ".join(f'"{name}"' for name in names)
    started = time.perf_counter()
    cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN", rows)
    return time.perf_counter() - started


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _markdown(results: dict[str, Any], sources_count: int) -> str:
    layer, again = results["layer"], results["rerun_layer"]
    count = results["features"]
    datastore = results["datastore"]
    copy_ratio = datastore["pipeline"] / datastore["copy"]
    plain_ratio = datastore["pipeline"] / datastore["copy_plain"]
    rerun_fraction = results["rerun"] / results["first"]

    def verdict(ok: bool) -> str:
        return "✔" if ok else "✘"

    steps_row = " / ".join(f"{layer[name]:.1f}" for name in ("extract", "transform", "publish", "record"))
    rerun_row = " / ".join(f"{again[name]:.1f}" for name in ("extract", "transform", "publish", "record"))
    lines = [
        f"Steps of the DAGs (`pipelines.steps`) timed in-process against the test portal (`scripts/e2e-portal.sh`, "
        f"2 gunicorn workers) and the replicas; a generated {count:,}-feature CSV layer shaped like the city's "
        "parking exports (Web-Mercator X/Y, `;`, decimal commas), harvested after every fixture source (so the "
        "portal's workers have done their start-up work).",
        "",
        "| measurement | figure | target |",
        "| --- | ---: | --- |",
        f"| {count:,}-feature layer, first harvest end to end | {count / layer['total']:,.0f} features/s "
        f"({layer['total']:.1f} s: extract / transform / publish / record = {steps_row} s) | |",
        f"| same layer, unchanged rerun | {again['total']:.1f} s ({rerun_row} s), "
        f"{'nothing changed' if not again['changed'] else 'CHANGED'} | |",
        *_reprojection_rows("the generated layer", results["reprojection"], verdict),
        *_reprojection_rows("Stadtteile (polygons)", results["reprojection_polygons"], verdict),
        f"| DataStore load through the Action API ({datastore['rows']:,} rows, new table, `datastore_create` "
        f"included) | {datastore['pipeline']:,.0f} rows/s | |",
        f"| same rows, PostgreSQL `COPY` into a DataStore table of the same columns and key "
        f"| {datastore['copy']:,.0f} rows/s | ratio {copy_ratio:.2f} ≥ {TARGET_COPY_RATIO} "
        f"{verdict(copy_ratio >= TARGET_COPY_RATIO)} |",
        f"| same rows, `COPY` into a plain table (no key, no full-text index) | {datastore['copy_plain']:,.0f} rows/s "
        f"| ratio {plain_ratio:.2f} |",
        f"| unchanged rerun of all {sources_count + 1} sources / first run | {results['rerun']:.1f} s / "
        f"{results['first']:.1f} s = {rerun_fraction:.2f} | ≤ {TARGET_RERUN_FRACTION} "
        f"{verdict(rerun_fraction <= TARGET_RERUN_FRACTION)} |",
        "",
        "Point layers are reprojected as coordinate arrays (`geometry.point_coordinates`), other layers as "
        "geometries (`geometry.reproject`, `shapely.transform`); both with one cached pyproj transformer. "
        "The `COPY` the DataStore load is compared with goes into a table made by `datastore_create` for the "
        "same columns and key, so it pays for what every row of a DataStore table costs: the unique index of "
        "the key and CKAN's full text (`_full_text`, `datastore_search?q=`) with its GiST indexes on "
        "`_full_text` and each text column. The pipeline's load adds JSON over HTTP, the table's creation, a "
        "staging `COPY` and the merge. A `COPY` into a plain table, without key or full-text index, is "
        "shown for scale.",
        "",
        "An unchanged rerun first asks each source for its data version without downloading it (ArcGIS "
        "`editingInfo.dataLastEditDate`, the file's HTTP `ETag`) and fetches nothing when it, the configuration "
        "and the pipeline code are as at the last successful run; the WFS has no such indicator and is fetched in "
        "full, then compared by fingerprint, so transform and publish are skipped for it as well.",
    ]
    return "\n".join(lines)


def _reprojection_rows(name: str, figures: dict[str, float], verdict: Callable[[bool], str]) -> list[str]:
    ratio = figures["ours"] / figures["bare"]
    return [
        f"| reprojection EPSG:25833 → WGS 84, {name}: {figures['features']:,} features, "
        f"{figures['coordinates']:,} coordinates, pipeline | {figures['ours']:,.0f} coordinates/s | |",
        f"| same coordinates, bare vectorised `pyproj` | {figures['bare']:,.0f} coordinates/s "
        f"| ratio {ratio:.2f} ≥ {TARGET_REPROJECTION_RATIO} {verdict(ratio >= TARGET_REPROJECTION_RATIO)} |",
    ]


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
