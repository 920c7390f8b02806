"""Parking benchmark: one year of 5-minute readings for 20 car parks in the DataStore history table.

Measured through the portal's WSGI application in-process (CKAN's full request cycle, no network):

* one car park's day by ``datastore_search_sql``, the query ``/parken`` sends for its chart (target
  under 1 s), for random car parks and days of the year;
* one poll's ingest: ``datastore_upsert`` of 20 readings into the full history table, as the
  occupancy DAG does every 5 minutes;
* ``/parken`` from request to the complete page (20 car parks, current state from the DataStore).

The year is written into the history table (created by ``datastore_create`` with the DAG's columns
and key) with one ``INSERT … SELECT`` straight into the DataStore database: a backfill, not what is
measured. The benchmark works in a CKAN database of its own (``DATABASE``, made by
``scripts/bench.sh``), which it empties first: the generated catalogue the other benchmarks
measure stays as it is.

Usage (from ``make bench``): ``python -m bench.parking_bench [--days N] [--repeat N]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from bench import ckan_app, report

ROOT = Path(__file__).resolve().parents[1]
CAR_PARKS = 20
TARGET_DAY_MS = 1000.0
# The columns and keys the occupancy DAG gives its tables.
TABLES = ROOT / "schemas" / "feeds" / "occupancy_tables.yaml"
# A migrated CKAN database beside the catalogue's (a copy of it, made before the catalogue is loaded).
DATABASE = "ckan_bench_parking"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per measurement")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)

    from werkzeug.test import Client

    app = ckan_app.load_app(plugins="chemnitz_search chemnitz datastore", database=DATABASE)
    end = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
    end -= dt.timedelta(minutes=end.minute % 5)
    with app._wsgi_app.test_request_context():
        tables, token = _publish(end)
        started = time.perf_counter()
        rows = _backfill(tables["history"], end, args.days)
        backfill_seconds = time.perf_counter() - started
    client = Client(app)
    auth = {"Authorization": token}
    random.seed(5)
    results = {
        "rows": rows,
        "backfill_seconds": backfill_seconds,
        "day": ckan_app.timed(lambda: _day_query(client, tables["history"], end, args.days), args.repeat),
        "poll": ckan_app.timed(lambda: _poll(client, auth, tables["history"], end), args.repeat),
        "page": ckan_app.timed(lambda: _page(client), args.repeat),
    }
    with app._wsgi_app.test_request_context():
        _drop(tables)
    markdown = _markdown(results, args.days, args.repeat)
    print(markdown)
    report.write_section(args.report, "parking", markdown, title="Parking history and /parken")
    return 0 if ckan_app.percentile(results["day"], 0.95) < TARGET_DAY_MS else 1


def _publish(end: dt.datetime) -> tuple[dict[str, str], str]:
    """The occupancy dataset with its current-state and history tables, as the DAG creates them."""
    import ckan.model as model
    from ckan.tests import factories, helpers

    model.repo.init_db()
    model.repo.delete_all()
    user = factories.Sysadmin()
    token = factories.APIToken(user=user["name"])["token"]
    org = factories.Organization(name="tiefbauamt", title="Tiefbauamt")
    dataset = factories.Dataset(name="parkhaus-belegung", title="Belegung der Parkhäuser", owner_org=org["id"])
    tables = {}
    for key, table in yaml.safe_load(TABLES.read_text(encoding="utf-8")).items():
        created = helpers.call_action(
            "datastore_create",
            resource={"package_id": dataset["id"], "name": table["name"], "harvest_key": key, "format": "CSV"},
            fields=table["fields"],
            primary_key=table["primary_key"],
            force=True,
        )
        tables[key.removeprefix("occupancy-")] = created["resource_id"]
    helpers.call_action(
        "datastore_upsert", resource_id=tables["current"], method="insert", force=True,
        records=[dict(r, name=f"Parkhaus {r['car_park']}", state="open", stale=False, lat=50.83, lon=12.92)
                 for r in _readings(end)],
    )  # fmt: skip
    return tables, token


def _drop(tables: dict[str, str]) -> None:
    """Remove the year again, so a second run starts from an empty DataStore as well."""
    from ckan.tests import helpers

    for table in tables.values():
        helpers.call_action("datastore_delete", resource_id=table, force=True)


def _readings(moment: dt.datetime) -> list[dict[str, Any]]:
    return [
        {"car_park": f"park-{n:02d}", "observed_at": moment.isoformat(), "total": 400, "free": random.randint(0, 400)}
        for n in range(CAR_PARKS)
    ]


def _backfill(table: str, end: dt.datetime, days: int) -> int:
    """``days`` of 5-minute readings for every car park, ending at ``end``; returns the row count."""
    import sqlalchemy as sa
    from ckanext.datastore.backend.postgres import get_write_engine

    with get_write_engine().begin() as connection:
        connection.execute(
            sa.text(
                f'INSERT INTO "{table}" (car_park, observed_at, total, free) '
                "SELECT 'park-' || lpad(p::text, 2, '0'), t, 400, "
                "  (200 + 150 * cos(2 * pi() * extract(epoch FROM t) / 86400) + p)::int "
                "FROM generate_series(0, :parks - 1) AS p, "
                "     generate_series(CAST(:end AS timestamp) - make_interval(days => :days), "
                "                     CAST(:end AS timestamp) - interval '5 minutes', interval '5 minutes') AS t"
            ),
            {"parks": CAR_PARKS, "end": end, "days": days},
        )
        connection.execute(sa.text(f'ANALYZE "{table}"'))
        return int(connection.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar())


def _day_query(client: Any, table: str, end: dt.datetime, days: int):
    day = (end - dt.timedelta(days=random.randint(1, days - 1))).replace(hour=0, minute=0)
    sql = (
        f"SELECT observed_at, free, total FROM \"{table}\" WHERE car_park = 'park-{random.randrange(CAR_PARKS):02d}' "
        f"AND observed_at >= '{day.isoformat()}' AND observed_at < '{(day + dt.timedelta(days=1)).isoformat()}' "
        "ORDER BY observed_at"
    )

    def call() -> None:
        answer = client.get("/api/3/action/datastore_search_sql", query_string={"sql": sql})
        records = json.loads(answer.get_data())["result"]["records"]
        if answer.status_code != 200 or len(records) != 288:
            raise SystemExit(f"day query: HTTP {answer.status_code}, {len(records)} readings instead of 288")

    return call


def _poll(client: Any, auth: dict[str, str], table: str, end: dt.datetime):
    moment = end + dt.timedelta(minutes=5 * random.randint(1, 10**6))
    body = {"resource_id": table, "method": "upsert", "force": True, "records": _readings(moment)}

    def call() -> None:
        answer = client.post("/api/3/action/datastore_upsert", json=body, headers=auth)
        if answer.status_code != 200:
            raise SystemExit(f"poll upsert: HTTP {answer.status_code}: {answer.get_data()[:300]!r}")

    return call


def _page(client: Any):
    def call() -> None:
        answer = client.get("/parken")
        if answer.status_code != 200 or answer.get_data().count(b"data-car-park=") != CAR_PARKS:
            raise SystemExit(f"/parken: HTTP {answer.status_code} without the {CAR_PARKS} car parks")

    return call


def _markdown(results: dict[str, Any], days: int, repeat: int) -> str:
    def line(name: str, samples: list[float]) -> str:
        p50, p95 = ckan_app.percentile(samples, 0.5), ckan_app.percentile(samples, 0.95)
        return f"| {name} | {p50:.1f} | {p95:.1f} | {max(samples):.1f} |"

    day_p95 = ckan_app.percentile(results["day"], 0.95)
    verdict = "met" if day_p95 < TARGET_DAY_MS else "**missed**"
    return f"""History table: {results["rows"]:,} readings ({CAR_PARKS} car parks × {days} days × 288), backfilled
in {results["backfill_seconds"]:.1f} s; {repeat} timed requests each, in-process WSGI.

| request | p50 ms | p95 ms | max ms |
| --- | ---: | ---: | ---: |
{line("one car park's day, `datastore_search_sql` (288 readings)", results["day"])}
{line("one poll, `datastore_upsert` of 20 readings into the full table", results["poll"])}
{line("`/parken`, whole page (20 car parks)", results["page"])}

Target: one car park's day under 1 s — p95 {day_p95:.0f} ms, {verdict}.
"""


if __name__ == "__main__":
    sys.exit(main())
