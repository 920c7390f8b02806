"""Airflow DAG ``parking_occupancy``: the car parks' occupancy every 5 minutes, into CKAN.

The feed and the target dataset are configured in ``schemas/feeds/parkhaus_belegung.yaml``;
the work is done by ``pipelines.parking`` (parsing in ``feed``, publishing in ``occupancy``, every
answer kept in ``archive`` for ``parking_history_rebuild``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os

from airflow.sdk import Asset, Connection, dag, get_current_context, task

from pipelines import alerts
from pipelines.dag_factory import CKAN_CONNECTION, WORK, dataset_url
from pipelines.parking import archive, occupancy

log = logging.getLogger(__name__)
DATASET = dataset_url("parkhaus-belegung")
# A failed poll is tried once more after 30 s; the pipeline tests shorten the wait (as for the harvests).
RETRY_DELAY = dt.timedelta(seconds=float(os.environ.get("CHEMNITZ_RETRY_DELAY_SECONDS", "30")))


@dag(
    dag_id="parking_occupancy",
    description="Belegung der Parkhäuser: Feed → DataStore (aktueller Stand, Verlauf) und GeoJSON",
    schedule="*/5 * * * *",
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=dt.timedelta(minutes=4),
    tags=["parking", "live"],
    # the failure alert of the harvests (pipelines.alerts): into the task log, webhook and e-mail
    default_args={"retries": 1, "retry_delay": RETRY_DELAY, "on_failure_callback": alerts.HarvestFailed(DATASET)},
    doc_md=__doc__,
)
def parking_occupancy() -> None:
    @task(outlets=[Asset(name="parkhaus-belegung", uri=DATASET, group="dataset")])
    def poll_and_publish() -> dict:
        config = occupancy.load(occupancy.FEED)
        now = dt.datetime.now(dt.timezone.utc)
        readings = occupancy.poll(config, now, archive.ARCHIVE)
        ckan = Connection.get(CKAN_CONNECTION)
        context = get_current_context()
        work = WORK / "parking_occupancy" / context["run_id"].replace(":", "_").replace("+", "_")
        summary = occupancy.publish(config, readings, now, ckan.host, ckan.password, work)
        log.info("Occupancy summary: %s", " ".join(f"{key}={value}" for key, value in summary.items()))
        return summary

    poll_and_publish()


parking_occupancy()
