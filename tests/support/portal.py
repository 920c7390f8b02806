"""The throw-away test portal of ``scripts/e2e-portal.sh`` (started by ``make test``): its settings and its
Action API through ckanapi, as the pipelines publish and as a third party reads.

No CKAN import: the pipeline tests (``.venv/airflow``) use it as much as the browser and conformance suites.
"""

from __future__ import annotations

import configparser
import functools
import urllib.parse
from pathlib import Path
from typing import Any

import ckanapi
import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = ROOT / "var" / "e2e.env"  # CKAN_URL and CKAN_API_TOKEN (the pipelines' editor), written by the script
INI = ROOT / "var" / "e2e.ini"  # the portal's CKAN configuration
NOT_STARTED = "No test portal: make test starts it (scripts/e2e-portal.sh start)."
TIMEOUT = 60  # seconds per Action API call
USER_AGENT = "Chemnitz-Open-Data-Tests/1.0"


def read_env(path: Path) -> dict[str, str]:
    """The ``KEY=value`` lines of a settings file (``var/e2e.env``, the demo's ``.env``; ``#`` lines are comments)."""
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def settings(path: Path = ENV) -> dict[str, str]:
    """The test portal's settings; the test fails saying how to start the portal when there is none."""
    if not path.exists():
        pytest.fail(NOT_STARTED)
    return read_env(path)


class _AsWritten(configparser.RawConfigParser):
    """Names in their case (``SECRET_KEY`` stays upper case), no interpolation, repeated names allowed."""

    def optionxform(self, optionstr: str) -> str:
        return optionstr


def app_main(path: Path) -> configparser.SectionProxy:
    """``[app:main]`` of a CKAN configuration file, as written."""
    ini = _AsWritten(strict=False)
    ini.read(path)
    return ini["app:main"]


def configuration(path: Path = INI) -> configparser.SectionProxy:
    """``[app:main]`` of the test portal's CKAN configuration."""
    if not path.exists():
        pytest.fail(NOT_STARTED)
    return app_main(path)


def databases(path: Path = INI) -> list[str]:
    """The names of the test portal's catalogue and DataStore databases."""
    app = configuration(path)
    return [urllib.parse.urlsplit(app[key]).path.lstrip("/") for key in ("sqlalchemy.url", "ckan.datastore.write_url")]


class Client(ckanapi.RemoteCKAN):
    """ckanapi's client with a time limit on every call (ckanapi waits forever by default): a portal that
    hangs fails the test instead of stopping the run."""

    def call_action(
        self,
        action: str,
        data_dict: dict[str, Any] | None = None,
        context: dict[str, Any] | None = None,
        apikey: str | None = None,
        files: dict[str, Any] | None = None,
        requests_kwargs: dict[str, Any] | None = None,
    ) -> Any:
        limited = {"timeout": TIMEOUT, **(requests_kwargs or {})}
        return super().call_action(action, data_dict, context, apikey, files, limited)


@functools.cache
def client(url: str, token: str | None = None) -> Client:
    """The Action API of the portal at ``url``: without a token as a third party reads it (GET requests,
    anonymous), with one as its holder writes (POST). One client (and connection pool) per portal and token."""
    return Client(url.rstrip("/"), apikey=token, get_only=token is None, user_agent=USER_AGENT)


def public(portal: dict[str, str]) -> Client:
    """The test portal as a third party reads it."""
    return client(portal["CKAN_URL"])


def as_pipelines(portal: dict[str, str]) -> Client:
    """The test portal as the pipelines write to it: with their token, an editor of the departments."""
    return client(portal["CKAN_URL"], portal["CKAN_API_TOKEN"])


def dataset_exists(portal: dict[str, str], name: str) -> bool:
    """Whether a third party finds the dataset (``package_show``)."""
    try:
        public(portal).action.package_show(id=name)
    except ckanapi.NotFound:
        return False
    return True
