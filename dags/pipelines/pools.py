"""Prints the Airflow pools of all sources as JSON for ``airflow pools import``.

One pool per source limits how many requests run against that department's server at once
(``source.pool_slots``, default 1), however many runs and retries are queued.
"""

from __future__ import annotations

import json

from pipelines import config


def pools() -> dict[str, dict[str, object]]:
    result = {}
    for path in config.all_paths():
        try:
            source = config.load(path)
        except config.SourceConfigError:
            continue  # its DAG shows the import error; no pool needed
        result[source.pool] = {
            "slots": int(source.source.get("pool_slots", 1)),
            "description": f"Requests to the source of {source.path.name}",
            "include_deferred": False,
        }
    return result


if __name__ == "__main__":
    print(json.dumps(pools(), indent=2))
