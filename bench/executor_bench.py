"""Executor benchmark: harvests through a real Airflow with the LocalExecutor and with the
CeleryExecutor and 1 and 2 workers.

For each configuration a throw-away Airflow (``bench.airflow_cluster``: API server, scheduler, DAG
processor, Celery workers of ``scripts/celery-workers.sh`` with 2 task slots each, the pipeline
store in a shared folder) publishes into the test portal of ``scripts/e2e-portal.sh``: first the
generated 10,000-feature layer of the pipeline benchmark alone, then a full round, every fixture
source at once (each under a new dataset, so every run is a first harvest that writes everything).
Wall time from the first task's start to the last task's end (the scheduler's and executor's
overhead included, Airflow's start-up not), and runs per hour of the full round.

Usage: ``python -m bench.executor_bench [--features N] [--sources ID ...] [--workers N ...] [--report PATH]``
(in ``.venv/airflow``, with the test portal running; ``make bench`` runs it as the part ``executors``, its
smoke run with 1 Celery worker on 200 features and one source: the LocalExecutor's Airflow starts in
tests/pipelines/test_new_source.py, the same launcher).
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import report
from bench.airflow_cluster import ROOT, AirflowCluster, wait
from bench.pipeline_bench import _serve, layer_document
from pipelines import config as sources
from replica.run import DEFAULT_PORTS, Replicas
from replica.run import replicas as run_replicas
from tests.support.portal import settings

SLOTS = 2  # task slots per Celery worker (AIRFLOW_WORKER_CONCURRENCY of make demo)
DATABASE = "airflow_executor_bench"
BROKER_DB = 14


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=10_000)
    parser.add_argument("--sources", nargs="+", metavar="ID", help="fixture sources of the full round (default: all)")
    parser.add_argument("--workers", nargs="+", type=int, default=[0, 1, 2], metavar="N",
                        help="one configuration each: N Celery workers; 0 the LocalExecutor (make demo's)")  # fmt: skip
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    ids = [path.stem for path in sources.all_paths()]
    if args.sources is not None:
        if unknown := set(args.sources) - set(ids):
            parser.error(f"no source configuration for {', '.join(sorted(unknown))}")
        ids = args.sources

    portal = settings()
    results = []
    with tempfile.TemporaryDirectory() as folder, run_replicas(Path(folder) / "replicas", DEFAULT_PORTS) as replicas:
        layer_url = _serve(Path(folder), args.features)
        for workers in args.workers:
            executor = "CeleryExecutor" if workers else "LocalExecutor"
            home = Path(folder) / f"{executor}-{workers}"
            cluster = AirflowCluster(home, portal, database=DATABASE, broker_db=BROKER_DB, executor=executor,
                                     workers=workers, concurrency=SLOTS)  # fmt: skip
            with cluster:
                results.append({"executor": executor, "workers": workers,
                                **measure(cluster, layer_url, args.features, ids, replicas)})  # fmt: skip
            print(results[-1], flush=True)
    markdown = _markdown(results, args.features)
    print(markdown)
    report.write_section(args.report, "executors", markdown, title="Executors")
    return 0


def measure(
    cluster: AirflowCluster, layer_url: str, features: int, ids: list[str], replicas: Replicas
) -> dict[str, float]:
    """On a running Airflow: wall seconds of the layer (served at ``layer_url``) alone, then of a full round
    of the fixture sources ``ids`` at once (harvested from ``replicas``), and the round's number of runs."""
    suffix = secrets.token_hex(3)
    layer = cluster.add_source(layer_document(layer_url, features, f"ebench_{suffix}", f"ebench-{features}-{suffix}"))
    layer_seconds = _wall(cluster, [layer[0]])
    dags = [cluster.add_copy(source_id, f"runde_{source_id}", replicas)[0] for source_id in ids]
    return {"layer": layer_seconds, "round": _wall(cluster, dags), "runs": len(dags)}


def _wall(cluster: AirflowCluster, dags: list[str]) -> float:
    """Seconds from the first start to the last end of the first run of each of ``dags`` (all must succeed)."""
    runs = [wait(lambda dag=dag: cluster.ended(dag, 1), 3600, f"the first run of {dag} ended", 2)[0] for dag in dags]
    failed = [run["dag_id"] for run in runs if run["state"] != "success"]
    if failed:
        raise RuntimeError(f"runs failed: {failed} (task logs in {cluster.home / 'logs'})")
    starts = [dt.datetime.fromisoformat(run["start_date"]) for run in runs]
    ends = [dt.datetime.fromisoformat(run["end_date"]) for run in runs]
    return (max(ends) - min(starts)).total_seconds()


def _markdown(results: list[dict[str, Any]], features: int) -> str:
    def row(result: dict[str, Any]) -> list[str]:
        workers = result["workers"]
        name = f"CeleryExecutor, {workers} worker{'s' * (workers > 1)}" if workers else "LocalExecutor (make demo)"
        slots = str(workers * SLOTS) if workers else "32 (parallelism)"
        per_hour = result["runs"] / result["round"] * 3600
        return [name, slots, f"{result['layer']:.0f}", f"{result['round']:.0f}", result["runs"], f"{per_hour:,.0f}"]

    header = ["executor", "task slots", f"{features:,}-feature layer, s", "full round, s", "runs",
              "full-round runs per hour"]  # fmt: skip
    return "\n\n".join([
        "Harvests through a real Airflow 3 (`bench/airflow_cluster.py`: API server, scheduler, DAG processor; "
        f"Celery workers of `scripts/celery-workers.sh` with {SLOTS} task slots each, Redis broker, results in "
        "PostgreSQL; the pipeline store in a shared folder) into the test portal (2 gunicorn workers) on the "
        f"same machine. The generated {features:,}-feature layer alone, then a full round: every fixture source "
        "at once, each a first harvest of a new dataset. Wall time from the first task's start to the last "
        "task's end.",
        report.table(header, map(row, results)),
        "Each harvest runs its four tasks one after the other (`max_active_tasks` 1 per source), so a single "
        "harvest gains nothing from a second worker; several sources at once do, as far as the machine's cores "
        "allow (the portal, PostgreSQL and Airflow share them here).",
    ])  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
