"""Solr failing under the portal, as a visitor and an editor notice it: one node gone changes nothing
(every shard has a replica on the other node); every node gone makes the search say so — 503 and a
clear message from the Action API, the search page with a German notice instead of a server error —
while datasets are still saved, and they are found once Solr is back.

The nodes are taken away and brought back through the launcher's control port
(``scripts/solr.sh node stop|start N``); CKAN's ``solr_url`` names node 1.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
import requests

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset
from tests.support.search import names

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
]
SOLR_SH = Path(__file__).parents[2] / "scripts" / "solr.sh"


def node(command: str, number: int) -> None:
    result = subprocess.run([SOLR_SH, "node", command, str(number)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def wait_until(every_shard: Callable[[list[dict], set[str]], bool], what: str, timeout: float = 180) -> None:
    """Poll the collection's state until ``every_shard(replicas, live_nodes)`` holds for each shard."""
    base, collection = tk.config["solr_url"].rsplit("/", 1)
    deadline = time.monotonic() + timeout
    while True:
        try:
            status = requests.get(
                f"{base}/admin/collections",
                params={"action": "CLUSTERSTATUS", "collection": collection, "wt": "json"},
                timeout=10,
            ).json()["cluster"]
            live = set(status["live_nodes"])
            shards = status["collections"][collection]["shards"].values()
            if all(every_shard(list(shard["replicas"].values()), live) for shard in shards):
                return
        except (requests.RequestException, KeyError, ValueError):
            pass  # node 1, which answers, is still starting
        assert time.monotonic() < deadline, f"the SolrCloud did not reach: {what}"
        time.sleep(0.5)


def healthy(replicas: list[dict], live: set[str]) -> bool:
    """Every replica active on a live node, one of them the leader."""
    return any(r.get("leader") == "true" for r in replicas) and all(
        r["state"] == "active" and r["node_name"] in live for r in replicas
    )


def led(replicas: list[dict], live: set[str]) -> bool:
    """A leader elected among the replicas on live nodes (after a node is gone)."""
    return any(r.get("leader") == "true" and r["state"] == "active" and r["node_name"] in live for r in replicas)


@pytest.fixture
def nodes_back() -> Iterator[None]:
    """Whatever a test stopped runs again afterwards, with every replica recovered."""
    yield
    node("start", 1)
    node("start", 2)
    wait_until(healthy, "every replica active")


@pytest.fixture
def department() -> dict:
    return factories.Organization(name="gruenflaechenamt")


def publish(department: dict, name: str, title: str) -> dict:
    """A dataset as the portal's schema wants it (DCAT-AP.de)."""
    return helpers.call_action("package_create", **school_dataset(department["id"], name=name, title=title))


@pytest.mark.usefixtures("nodes_back")
def test_one_node_down_searches_stay_complete_and_datasets_are_indexed(department):
    for number in range(5):
        publish(department, f"messstelle-{number}", f"Messstelle {number}")
    everything = [f"messstelle-{number}" for number in range(5)]

    node("stop", 2)
    assert names(q="Messstelle") == everything
    assert helpers.call_action("package_search", q="Messstelle", rows=0)["count"] == 5
    wait_until(led, "a leader on the remaining node", timeout=60)
    publish(department, "messstelle-neu", "Messstelle Neu")
    assert names(q="Messstelle") == [*everything, "messstelle-neu"]

    node("start", 2)
    wait_until(healthy, "every replica active")
    assert names(q="Messstelle") == [*everything, "messstelle-neu"]


@pytest.mark.ckan_config("ckan.locale_default", "de")
@pytest.mark.usefixtures("nodes_back")
def test_all_nodes_down_search_says_so_and_nothing_is_lost(app, department):
    edited = publish(department, "baumkataster", "Bäume")
    assert names(q="Bäume") == ["baumkataster"]

    node("stop", 2)
    node("stop", 1)
    api = app.get("/api/3/action/package_search", query_string={"q": "Bäume"}, status=503)
    assert api.headers["Retry-After"]
    assert api.json["success"] is False
    assert api.json["error"]["__type"] == "Search Unavailable"
    assert "vorübergehend nicht erreichbar" in api.json["error"]["message"]
    page = app.get("/dataset/", query_string={"q": "Bäume"}, status=503)
    assert "Die Datensatzsuche ist vorübergehend nicht erreichbar." in page.body
    department_page = app.get("/organization/gruenflaechenamt", status=503)
    assert "Die Datensatzsuche ist vorübergehend nicht erreichbar." in department_page.body

    # Editors keep working: the changes are saved in the database, not lost with the index.
    helpers.call_action("package_patch", id=edited["id"], title="Baumkataster")
    publish(department, "spielplaetze", "Spielplätze")
    assert helpers.call_action("package_show", id="spielplaetze")["title"] == "Spielplätze"
    assert helpers.call_action("package_show", id="baumkataster")["title"] == "Baumkataster"

    node("start", 1)
    node("start", 2)
    wait_until(healthy, "every replica active")
    assert names(q="Spielplätze") == ["spielplaetze"]
    assert names(q="Baumkataster") == ["baumkataster"]
    assert names(q="Bäume") == []
    assert app.get("/api/3/action/package_search", query_string={"q": "Spielplätze"}, status=200).json["success"]
