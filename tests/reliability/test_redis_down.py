"""Redis down while browsing: pages and the API keep answering (Redis only holds the facet cache
and the usage counts); counting resumes when Redis is back. The outage is real: CKAN's Redis
connection pool is pointed at a port where nothing listens."""

from __future__ import annotations

import ckan.lib.redis as ckan_redis
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from redis import ConnectionPool

from ckanext.chemnitz import usage
from replica.run import free_port
from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_index"),
]


@pytest.fixture
def redis_down(monkeypatch: pytest.MonkeyPatch) -> None:
    usage.reset()
    closed = ConnectionPool.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    monkeypatch.setattr(ckan_redis, "_connection_pool", closed)
    assert not ckan_redis.is_redis_available()


def test_browsing_works_without_redis_and_counting_resumes(app, monkeypatch, redis_down):
    org = factories.Organization(name="schulverwaltungsamt")
    helpers.call_action("package_create", **school_dataset(org["id"]))
    for path in ("/", "/dataset/", "/dataset/?q=Schule&tags=Bildung", "/dataset/schulen", "/organization/"):
        assert app.get(path).status_code == 200, path
    facets = app.get("/api/3/action/package_search", query_string={"facet.field": '["tags"]'}).json
    assert facets["result"]["facets"]["tags"] == {"Bildung": 1, "Schule": 1}

    monkeypatch.undo()  # Redis is back
    assert ckan_redis.is_redis_available()
    app.get("/dataset/schulen", status=200)
    assert [(d["name"], d["uses"]) for d in usage.most_used()] == [("schulen", 1)]  # the outage's view was lost
