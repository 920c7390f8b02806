"""Waits for the latest run of each given DAG to finish and prints how each one ended.

Used by ``make demo`` after it has triggered every harvest DAG once; exits non-zero when a run
failed, so the demo can say which source did not make it into the portal.
"""

from __future__ import annotations

import sys
import time

from airflow.models.dagrun import DagRun
from airflow.utils.session import create_session
from airflow.utils.state import DagRunState

FINISHED = {DagRunState.SUCCESS, DagRunState.FAILED}


def latest_states(dag_ids: list[str]) -> dict[str, str | None]:
    with create_session() as session:
        states = {}
        for dag_id in dag_ids:
            run = session.query(DagRun).filter(DagRun.dag_id == dag_id).order_by(DagRun.id.desc()).first()
            states[dag_id] = run.state if run else None
        return states


def main(dag_ids: list[str], timeout: float = 900) -> int:
    deadline = time.monotonic() + timeout
    reported: set[str] = set()
    while True:
        states = latest_states(dag_ids)
        for dag_id, state in states.items():
            if state in FINISHED and dag_id not in reported:
                print(f"  {dag_id}: {state}", flush=True)
                reported.add(dag_id)
        if all(state in FINISHED for state in states.values()):
            break
        if time.monotonic() > deadline:
            print(f"  still running after {timeout:.0f} s: {[d for d, s in states.items() if s not in FINISHED]}")
            return 1
        time.sleep(3)
    failed = [dag_id for dag_id, state in states.items() if state != DagRunState.SUCCESS]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
