"""Switching the search backend without loss (docs/operations.md, "Switching the search backend"): the
catalogue moved from the SolrCloud to PostgreSQL and back, each time by selecting the backend in the
configuration and running ``ckan search-index rebuild`` (its command, in this process: the ``ckan``
command would load the configuration file again), keeps every dataset and answers the parity
query set (``bench/search_parity.py``: words, phrases, facets as ``fq``, sorts, paging, places,
private datasets as visitor and as editor) alike after each move."""

from __future__ import annotations

from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from ckan.cli.search_index import search_index
from ckan.common import config
from click.testing import CliRunner

from bench import search_parity
from ckanext.chemnitz.search import backend
from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import CHEMNITZ, school_dataset
from tests.support.districts import publish_districts

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_index"),
]
BACKEND = "ckanext.chemnitz.search.backend"


def publish(organization: dict, name: str, title: str, box: str, **changes: Any) -> None:
    coverage = [{"uri": CHEMNITZ, "text": title, "bbox": box}]
    helpers.call_action("package_create", **school_dataset(organization["id"], name=name, title=title,
                                                           spatial_coverage=coverage, **changes))  # fmt: skip


@pytest.fixture
def postgres_index_emptied(monkeypatch):
    """Afterwards the PostgreSQL index this test filled is emptied: this configuration's tests search Solr."""
    yield
    monkeypatch.setitem(config, BACKEND, "postgres")
    assert CliRunner().invoke(search_index, ["clear"]).exit_code == 0


def found(snapshot: dict[str, Any]) -> dict[str, tuple]:
    """Per query: hit count, the first ten datasets in their order (both backends rank alike,
    ``fields.RANK_CLASSES``), facet counts and error."""
    return {label: (a["count"], a["top"], a["facets"], a["error"]) for label, a in snapshot["answers"].items()}


@pytest.mark.usefixtures("postgres_index_emptied")
def test_moving_to_postgresql_and_back_keeps_every_dataset_and_answer(monkeypatch, create_with_upload):
    schools = factories.Organization(name="schulverwaltungsamt")
    parks = factories.Organization(name="gruenflaechenamt")
    publish_districts(parks["id"], create_with_upload)  # ext_district and the Stadtteil facet
    editor = factories.User()
    helpers.call_action("member_create", id=schools["id"], object=editor["name"], object_type="user", capacity="editor")
    publish(schools, "schulen-kassberg", "Schulen Kaßberg 2025", search_parity.KASSBERG_BOX)
    publish(schools, "schulen-klaffenbach", "Schulen Klaffenbach 2024", search_parity.KLAFFENBACH_BOX)
    publish(schools, "schulen-intern", "Schulen Kaßberg intern", search_parity.KASSBERG_BOX, private=True)
    publish(parks, "spielplaetze", "Spielplätze Kaßberg", search_parity.KASSBERG_BOX, tag_string="Freizeit,Familie")
    publish(parks, "friedhoefe", "Friedhöfe und Denkmale", "12.80,50.75,13.00,50.90", license_id="cc-zero")

    def move(name: str, values: dict | None = None) -> dict[str, Any]:
        monkeypatch.setitem(config, BACKEND, name)
        rebuilt = CliRunner().invoke(search_index, ["rebuild", "--quiet"])
        assert rebuilt.exit_code == 0, rebuilt.output
        assert backend.is_active() is (name == "postgres")  # the PostgreSQL backend answers, or Solr
        return search_parity.snapshot(search_parity.in_process(editor["name"]), values)

    on_solr = move("solr")
    assert on_solr["answers"]["include_private=true as editor"]["count"] == 6
    assert on_solr["answers"]["include_private=true"]["count"] == 5
    assert on_solr["answers"]["ext_district=Kaßberg"]["count"] == 3
    on_postgres = move("postgres", on_solr["facet_values"])
    back_on_solr = move("solr", on_solr["facet_values"])

    assert found(on_postgres) == found(on_solr)
    assert found(back_on_solr) == found(on_solr)
