"""Operators read who asked for what in gunicorn's access log (``var/<name>-access.log``, written
by ``start_ckan`` in scripts/lib.sh). CKAN's logging set-up used to silence it: the file existed
and stayed empty."""

from __future__ import annotations

import secrets
import time
import urllib.request

from tests.support.portal import ROOT, settings


def test_every_request_reaches_the_access_log() -> None:
    probe = f"zugriffsprotokoll-{secrets.token_hex(4)}"
    with urllib.request.urlopen(f"{settings()['CKAN_URL']}/dataset/?q={probe}", timeout=30) as answer:
        assert answer.status == 200
    log = ROOT / "var" / "e2e-ckan-access.log"
    deadline = time.monotonic() + 10
    while probe not in log.read_text(encoding="utf-8", errors="replace"):
        assert time.monotonic() < deadline, f"{log} has no line for GET /dataset/?q={probe}"
        time.sleep(0.2)
    line = next(line for line in log.read_text(encoding="utf-8").splitlines() if probe in line)
    assert '"GET /dataset/?q=' in line and " 200 " in line
