"""A failed harvest reaches the operator: the alert names the failed task, the error's first line
and what that failure means for the published dataset, in the task log, through a webhook
(a local receiver) and by e-mail (a local SMTP sink, aiosmtpd). Named to run after test_harvest.py,
whose first runs must find the datasets not yet harvested."""

from __future__ import annotations

import http.server
import json
import logging
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from pipelines import config
from tests.pipelines.conftest import start
from tests.pipelines.test_harvest import dataset, published

ALERT = re.compile(
    r"Harvest (\S+) failed in task (\w+) \(run [^)]+\): (.+?)\. (Nothing was published|Publishing had started)"
)


@dataclass
class Inbox:
    """What the local webhook receiver and SMTP sink got."""

    posts: list[dict] = field(default_factory=list)
    mails: list[Message] = field(default_factory=list)


@pytest.fixture
def channels(_servers) -> Iterator[tuple[dict[str, str], Inbox]]:
    """A webhook receiver and an SMTP sink on loopback, and the settings that point the alerts there."""
    inbox = Inbox()

    class Webhook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            inbox.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    class Sink:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            mail = message_from_bytes(envelope.content)  # type: ignore[attr-defined]
            mail["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)  # type: ignore[attr-defined]
            inbox.mails.append(mail)
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per SMTP command
    smtp = Controller(Sink(), hostname="127.0.0.1", port=port)
    smtp.start()
    settings = {
        "CHEMNITZ_ALERT_WEBHOOK": f"{_servers(Webhook)}/hooks/harvests",
        "CHEMNITZ_ALERT_EMAIL": "betrieb@example.org, daten@example.org",
        "CHEMNITZ_ALERT_EMAIL_FROM": "airflow@example.org",
        "CHEMNITZ_ALERT_SMTP_HOST": "127.0.0.1",
        "CHEMNITZ_ALERT_SMTP_PORT": str(port),
    }
    yield settings, inbox
    smtp.stop()


def test_a_failing_source_alerts_with_the_error_in_the_task_log_by_webhook_and_by_email(
    airflow, portal, fault, channels
):
    settings, inbox = channels
    source = config.load(config.SOURCES / "schulen.yaml")
    before = published(airflow, portal, source)
    fault("arcgis", "http500", times=-1)
    succeeded, output = start({**airflow, **settings}, source.dag_id).wait()
    assert not succeeded
    address = f"{portal['CKAN_URL']}/dataset/{source.dataset['name']}"

    (line,) = [line for line in output.splitlines() if ALERT.search(line)]  # once, after the last retry
    dag_id, task, error, _ = ALERT.search(line).groups()
    assert (dag_id, task) == (source.dag_id, "extract")
    assert "500" in error and "\n" not in error  # the exception's first line, not "task_failure"
    text = f"{error}. Nothing was published: the dataset {address} is as before."
    assert text in line

    assert len(inbox.posts) == 1 and text in inbox.posts[0]["text"]
    assert inbox.posts[0]["text"].startswith(f"Harvest {source.dag_id} failed in task extract")
    (mail,) = inbox.mails
    assert mail["X-Envelope-To"] == "betrieb@example.org, daten@example.org"
    assert mail["From"] == "airflow@example.org"
    assert mail["Subject"].startswith(f"Harvest {source.dag_id} failed in task extract: ")
    assert text in mail.get_payload(decode=True).decode()
    assert dataset(portal, source.dataset["name"])["metadata_modified"] == before["metadata_modified"]


def test_a_failure_while_publishing_does_not_claim_the_dataset_is_unchanged(airflow, portal, channels):
    """The portal refuses the pipelines' writes (a token that is not valid any more): extract and
    transform succeed, publish fails, and the alert says the dataset may be partly updated."""
    settings, inbox = channels
    source = config.load(config.SOURCES / "parkplaetze_reisebus.yaml")
    published(airflow, portal, source)
    refused = json.dumps({"conn_type": "http", "host": portal["CKAN_URL"], "password": "revoked-token"})
    succeeded, output = start({**airflow, **settings, "AIRFLOW_CONN_CKAN": refused}, source.dag_id).wait()
    assert not succeeded
    (line,) = [line for line in output.splitlines() if ALERT.search(line)]
    assert ALERT.search(line).group(2) == "publish"
    assert "Nothing was published" not in line
    assert f"Publishing had started: the dataset {portal['CKAN_URL']}/dataset/{source.dataset['name']} may be" in line
    assert "NotAuthorized: Access denied" in line  # the portal's message, not the error's dict
    (post,) = inbox.posts
    assert post["text"].startswith(f"Harvest {source.dag_id} failed in task publish") and post["text"] in line
    assert len(inbox.mails) == 1
