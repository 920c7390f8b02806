"""Failure alerts of harvest runs: in the task log, to a webhook and by e-mail.

The alert is a task-level failure notifier: in Airflow 3 a task's ``on_failure_callback`` runs in
the task's own process once its last retry failed, so the alert's lines are in the failed task's
log, which Airflow's UI shows beside the red task (a DAG-level callback runs in the DAG processor,
whose log no operator reads, and knows neither the task nor the exception). The same text goes to
``CHEMNITZ_ALERT_WEBHOOK`` (JSON ``{"text": …}``, as Slack, Mattermost and Teams take it) and to
``CHEMNITZ_ALERT_EMAIL`` through the SMTP server ``CHEMNITZ_ALERT_SMTP_HOST``; docs/pipelines.md
lists the settings. A channel that cannot be reached is logged, never a second failure.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from airflow.sdk import BaseNotifier, Context

log = logging.getLogger(__name__)
WEBHOOK = "CHEMNITZ_ALERT_WEBHOOK"

# What a failure of each task means for the published dataset ({url}); the tasks run in this order.
CONSEQUENCES = {
    "extract": "Nothing was published: the dataset {url} is as before.",
    "transform": "Nothing was published: the dataset {url} is as before.",
    "publish": (
        "Publishing had started: the dataset {url} may be partly updated (metadata and files; its "
        "DataStore table holds the old or the new rows, never a mix) and its harvest log has no row "
        "for this run. The next successful run completes it."
    ),
    "announce": (
        "The dataset {url} was published and its harvest log written; only Airflow's asset event "
        "is missing, so DAGs scheduled on the dataset did not start."
    ),
    # the occupancy feed (dags/parking_occupancy.py): polls and publishes in one task
    "poll_and_publish": (
        "The occupancy dataset {url} may be partly updated; the next poll (every 5 minutes) writes it again."
    ),
}
UNKNOWN_CONSEQUENCE = "Whether the dataset {url} changed is unknown: check its page and harvest log."


class HarvestFailed(BaseNotifier):
    """Task ``on_failure_callback`` of a harvest DAG: which source, task and run failed, the error
    and what that means for the published dataset ``dataset_url``."""

    def __init__(self, dataset_url: str) -> None:
        super().__init__()
        self.dataset_url = dataset_url

    def notify(self, context: Context) -> None:
        subject, text = message(context, self.dataset_url)
        log.error("%s", text)
        _post_webhook(text)
        _send_mail(subject, text)


def message(context: Mapping[str, Any], dataset_url: str) -> tuple[str, str]:
    """The alert's subject line and full text."""
    ti = context.get("ti") or context.get("task_instance")
    dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    run_id = getattr(ti, "run_id", None) or getattr(context.get("dag_run"), "run_id", "?")
    error = first_line(context.get("exception")) or "no exception was reported (see the task log)"
    subject = f"Harvest {dag_id} failed in task {task_id}: {error}"
    consequence = CONSEQUENCES.get(task_id, UNKNOWN_CONSEQUENCE).format(url=dataset_url)
    return subject[:200], f"Harvest {dag_id} failed in task {task_id} (run {run_id}): {error}. {consequence}"


def first_line(exception: BaseException | str | None) -> str:
    """``Type: first line of the message`` of an exception (a string as it is)."""
    if not exception:
        return ""
    if isinstance(exception, str):
        return exception.strip().splitlines()[0]
    detail = exception.args[0] if len(exception.args) == 1 else None
    # ckanapi's errors carry the portal's answer as a dict: its message is what to read
    text = str(detail["message"]) if isinstance(detail, dict) and "message" in detail else str(exception)
    lines = text.strip().splitlines()
    return f"{type(exception).__name__}: {lines[0]}" if lines else type(exception).__name__


def _post_webhook(text: str) -> None:
    url = os.environ.get(WEBHOOK)
    if not url:
        return
    request = urllib.request.Request(
        url, data=json.dumps({"text": text}).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except OSError as error:
        log.error("Could not deliver the alert to %s: %s", url, error)
    else:
        log.info("Alert posted to %s", url)


def _send_mail(subject: str, text: str) -> None:
    addresses = os.environ.get("CHEMNITZ_ALERT_EMAIL", "").split(",")
    recipients = [address.strip() for address in addresses if address.strip()]
    if not recipients:
        return
    host = os.environ.get("CHEMNITZ_ALERT_SMTP_HOST", "localhost")
    port = int(os.environ.get("CHEMNITZ_ALERT_SMTP_PORT", "25"))
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = os.environ.get("CHEMNITZ_ALERT_EMAIL_FROM", "airflow@localhost")
    mail["To"] = ", ".join(recipients)
    mail.set_content(text)
    try:
        with smtplib.SMTP(host, port, timeout=20) as smtp:
            if os.environ.get("CHEMNITZ_ALERT_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"):
                smtp.starttls()
            if user := os.environ.get("CHEMNITZ_ALERT_SMTP_USER"):
                smtp.login(user, os.environ.get("CHEMNITZ_ALERT_SMTP_PASSWORD", ""))
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as error:
        log.error("Could not send the alert to %s through %s:%s: %s", mail["To"], host, port, error)
    else:
        log.info("Alert sent to %s", mail["To"])
