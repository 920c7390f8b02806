"""Failure alerts of harvest runs: always logged; posted to a webhook when one is configured."""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from typing import Any

log = logging.getLogger(__name__)
WEBHOOK = "CHEMNITZ_ALERT_WEBHOOK"


def harvest_failed(context: dict[str, Any]) -> None:
    """DAG ``on_failure_callback``: say which source failed, in which run, and why."""
    dag_run = context.get("dag_run")
    reason = context.get("reason") or repr(context.get("exception") or "")
    message = {
        "text": f"Harvest {getattr(dag_run, 'dag_id', '?')} failed (run {getattr(dag_run, 'run_id', '?')}): "
        f"{reason}. The published dataset was not changed.",
    }
    log.error(message["text"])
    url = os.environ.get(WEBHOOK)
    if not url:
        return
    request = urllib.request.Request(
        url, data=json.dumps(message).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except OSError as error:
        log.error("Could not deliver the alert to %s: %s", url, error)
