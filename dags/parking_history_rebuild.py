"""Airflow DAG ``parking_history_rebuild``: the occupancy history table rebuilt from the feed archive.

Run by hand (no schedule) after the history table lost rows or was dropped, e.g. after restoring an
older database backup: every answer ``parking_occupancy`` archived is read again and each reading
the table lacks is put back; readings still there stay as they are. The run summary compares the
table's rows before and after with the readings in the archive.
"""

from __future__ import annotations

import datetime as dt
import logging

from airflow.sdk import Connection, dag, task

from pipelines.dag_factory import CKAN_CONNECTION
from pipelines.parking import archive, occupancy

log = logging.getLogger(__name__)


@dag(
    dag_id="parking_history_rebuild",
    description="Belegungsverlauf aus dem Archiv der Feed-Antworten wiederherstellen (manuell)",
    schedule=None,
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    max_active_runs=1,
    tags=["parking", "maintenance"],
    doc_md=__doc__,
)
def parking_history_rebuild() -> None:
    @task
    def rebuild() -> dict:
        ckan = Connection.get(CKAN_CONNECTION)
        summary = occupancy.rebuild_history(occupancy.load(occupancy.FEED), archive.ARCHIVE, ckan.host, ckan.password)
        log.info("Rebuild summary: %s", " ".join(f"{key}={value}" for key, value in summary.items()))
        return summary

    rebuild()


parking_history_rebuild()
