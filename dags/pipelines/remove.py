"""Removes a source: its configuration, its DAG (file and Airflow's records), its work files, and
with ``--purge`` its dataset with the DataStore tables and uploaded files.

``make remove-source SOURCE=<id> [PURGE=yes]`` runs it with the demo's settings (docs/operations.md).
The configuration goes first, so the DAG processor's next refresh does not bring the DAG back;
then Airflow forgets the DAG's runs and task instances (``airflow dags delete``); the purge runs
``ckan chemnitz datasets purge`` in the CKAN environment, because CKAN's own purge leaves the
DataStore tables and the files behind.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines import config

AIRFLOW = Path(sys.executable).with_name("airflow")
CKAN = config.REPOSITORY / ".venv" / "ckan" / "bin" / "ckan"


def remove(source_id: str, sources: Path, dags: Path, work: Path, ckan_ini: Path | None) -> list[str]:
    """Remove the source ``source_id``; purge its dataset when ``ckan_ini`` is given. Says what it did."""
    path = sources / f"{source_id}.yaml"
    if not path.exists():
        raise SystemExit(f"No source configuration {path} (the sources are the *.yaml files there).")
    dataset = config.load(path).dataset["name"] if ckan_ini else None
    dag_id = f"harvest_{source_id}"
    done = [f"removed {path}"]
    path.unlink()
    (dags / f"{dag_id}.py").unlink(missing_ok=True)
    if (work / dag_id).exists():
        shutil.rmtree(work / dag_id)
        done.append(f"removed the work files {work / dag_id}")
    deleted = subprocess.run([AIRFLOW, "dags", "delete", dag_id, "--yes"], capture_output=True, text=True)
    if deleted.returncode == 0:
        done.append(f"Airflow forgot {dag_id} (its runs, task instances and logs' records)")
    elif "not found" not in (deleted.stdout + deleted.stderr).lower():
        raise SystemExit(f"airflow dags delete {dag_id} failed: {deleted.stderr[-1000:]}")
    if dataset:
        purged = subprocess.run([CKAN, "-c", str(ckan_ini), "chemnitz", "datasets", "purge", dataset],
                                capture_output=True, text=True)  # fmt: skip
        if purged.returncode != 0:
            raise SystemExit(f"Could not purge the dataset {dataset}: {purged.stderr[-1000:]}")
        done.append(purged.stdout.strip().splitlines()[-1])
    return done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="the source's id (its file name in schemas/sources without .yaml)")
    purge = "also purge its dataset, DataStore tables and uploaded files from the portal of this CKAN ini file"
    parser.add_argument("--purge", metavar="CKAN_INI", type=Path, help=purge)
    parser.add_argument("--sources", type=Path, default=config.SOURCES, help="the folder of the configurations")
    parser.add_argument("--dags", type=Path, required=True, help="the folder of the generated DAG files")
    parser.add_argument("--work", type=Path, required=True, help="the pipelines' work folder")
    arguments = parser.parse_args(argv)
    for line in remove(arguments.source, arguments.sources, arguments.dags, arguments.work, arguments.purge):
        print(line)


if __name__ == "__main__":
    main()
