"""HTTP access to department sources: timeouts, retries with exponential back-off, clear errors."""

from __future__ import annotations

import json
import os
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from pipelines.errors import SourceError

USER_AGENT = "Chemnitz-Open-Data-Pipelines/1.0 (+https://opendata.chemnitz.de)"
RETRY_STATUSES = (429, 500, 502, 503, 504)
# The first wait between two tries (then twice as long each time); the tests shorten it as they
# shorten Airflow's retry delay (CHEMNITZ_RETRY_DELAY_SECONDS).
BACKOFF_SECONDS = float(os.environ.get("CHEMNITZ_HTTP_BACKOFF_SECONDS", "1"))


def session(retries: int = 4, backoff: float = BACKOFF_SECONDS) -> requests.Session:
    """A session that retries failed connections and 429/5xx answers: at once, then after 2, 4, 8 … × ``backoff`` s."""
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    http = requests.Session()
    http.headers["User-Agent"] = USER_AGENT
    adapter = HTTPAdapter(max_retries=retry)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


def get(http: requests.Session, url: str, timeout: float, **params: Any) -> requests.Response:
    try:
        response = http.get(url, params=params or None, timeout=timeout)
    except requests.Timeout:
        raise SourceError(f"{url}: no answer within {timeout:g} s (after retries)") from None
    except requests.ConnectionError as error:
        # After the last retry urllib3 reports a read timeout as "max retries exceeded".
        if isinstance(getattr(error.args[0] if error.args else None, "reason", None), ReadTimeoutError):
            raise SourceError(f"{url}: no answer within {timeout:g} s (after retries)") from None
        raise SourceError(f"{url}: {type(error).__name__}: {error}") from None
    except requests.RequestException as error:
        raise SourceError(f"{url}: {type(error).__name__}: {error}") from None
    if response.status_code == 404:
        raise SourceError(f"{response.url}: not found (HTTP 404) — has the source moved or vanished?")
    if response.status_code >= 400:
        raise SourceError(f"{response.url}: HTTP {response.status_code}: {response.text[:200]!r}")
    return response


def get_json(http: requests.Session, url: str, timeout: float, **params: Any) -> Any:
    response = get(http, url, timeout, **params)
    try:
        return response.json()
    except (json.JSONDecodeError, ValueError) as error:
        raise SourceError(
            f"{response.url}: answer is not valid JSON ({error}); first bytes: {response.text[:120]!r}"
        ) from None
