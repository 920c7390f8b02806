"""Private datasets and drafts stay invisible to anonymous visitors and to members of other
departments on every channel: search and facet counts, pages, the DCAT catalogue and dataset RDF,
the DataStore API and activity streams. Each check is paired with the department's own member,
who sees the dataset, so a channel that shows nothing to anyone cannot pass."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config(
        "ckan.plugins", "chemnitz_search chemnitz datastore scheming_datasets dataset_series dcat activity"
    ),
    pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true"),
    pytest.mark.ckan_config("ckan.auth.public_activity_stream_detail", "true"),
    pytest.mark.usefixtures("with_plugins", "clean_datastore", "clean_db_with_plugin_tables", "clean_index"),
]
SECRET = "Geheimprojekt"


@pytest.fixture
def catalogue() -> dict:
    """A public dataset, a private one with a DataStore table and a draft, all of the Tiefbauamt."""
    owner = factories.User(name="tiefbau-editor")
    stranger = factories.User(name="gruenflaechen-editor")
    org = factories.Organization(name="tiefbauamt", users=[{"name": owner["name"], "capacity": "editor"}])
    factories.Organization(name="gruenflaechenamt", users=[{"name": stranger["name"], "capacity": "editor"}])
    public = helpers.call_action("package_create", context={"user": owner["name"]}, **school_dataset(org["id"]))
    private = helpers.call_action(
        "package_create",
        context={"user": owner["name"]},
        **school_dataset(
            org["id"], name="baustellen-intern", title=f"{SECRET} Baustellen", private=True,
            tag_string="Bildung,geheimwort", resources=[],
        ),
    )  # fmt: skip
    table = factories.Resource(package_id=private["id"], url="https://example.org/b.csv", format="CSV")
    helpers.call_action(
        "datastore_create", context={"user": owner["name"]}, resource_id=table["id"], force=True,
        fields=[{"id": "strasse", "type": "text"}], records=[{"strasse": f"{SECRET}straße 1"}],
    )  # fmt: skip
    draft = helpers.call_action(
        "package_create", context={"user": owner["name"]},
        **school_dataset(org["id"], name="entwurf", title=f"{SECRET} Entwurf", state="draft"),
    )  # fmt: skip
    tokens = {
        "anonymous": None,
        "stranger": factories.APIToken(user=stranger["name"])["token"],
        "owner": factories.APIToken(user=owner["name"])["token"],
    }
    return {"public": public, "private": private, "draft": draft, "table": table, "tokens": tokens}


def get(app, catalogue: dict, who: str, url: str, **params):
    token = catalogue["tokens"][who]
    return app.get(url, query_string=params, headers={"Authorization": token} if token else {})


OUTSIDERS = ["anonymous", "stranger"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_search_and_facet_counts(app, catalogue, who):
    found = get(app, catalogue, who, "/api/3/action/package_search", q=SECRET, include_private="true",
                include_drafts="true", **{"facet.field": '["tags"]'}).json["result"]  # fmt: skip
    assert found["count"] == 0
    everything = get(app, catalogue, who, "/api/3/action/package_search", include_private="true",
                     **{"facet.field": '["tags", "organization"]'}).json["result"]  # fmt: skip
    assert [d["name"] for d in everything["results"]] == ["schulen"]
    assert "geheimwort" not in everything["facets"]["tags"]
    assert everything["facets"]["organization"] == {"tiefbauamt": 1}
    page = get(app, catalogue, who, "/dataset/", q="").get_data(as_text=True)
    assert SECRET not in page and "geheimwort" not in page


def test_the_owner_sees_what_outsiders_do_not(app, catalogue):
    found = get(app, catalogue, "owner", "/api/3/action/package_search", q=SECRET,
                include_private="true", include_drafts="true").json["result"]  # fmt: skip
    assert sorted(d["name"] for d in found["results"]) == ["baustellen-intern", "entwurf"]
    table = get(app, catalogue, "owner", "/api/3/action/datastore_search", resource_id=catalogue["table"]["id"])
    assert table.json["result"]["records"][0]["strasse"] == f"{SECRET}straße 1"
    assert get(app, catalogue, "owner", "/dataset/baustellen-intern.ttl").status_code == 200


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("name", ["baustellen-intern", "entwurf"])
def test_pages_and_rdf_of_the_dataset(app, catalogue, who, name):
    for url in (f"/dataset/{name}", f"/dataset/{name}.rdf", f"/dataset/{name}.ttl", f"/dataset/{name}.jsonld"):
        answer = get(app, catalogue, who, url)
        assert answer.status_code in (403, 404), url
        assert SECRET not in answer.get_data(as_text=True)
    assert get(app, catalogue, who, "/api/3/action/package_show", id=name).status_code == 403


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("url", ["/catalog.ttl", "/catalog.jsonld", "/catalog.xml", "/catalog"])
def test_the_dcat_catalogue(app, catalogue, who, url):
    answer = get(app, catalogue, who, url)
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert "Schulen in Chemnitz" in body and SECRET not in body and "baustellen-intern" not in body


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_datastore(app, catalogue, who):
    resource_id = catalogue["table"]["id"]
    assert get(app, catalogue, who, "/api/3/action/datastore_search", resource_id=resource_id).status_code == 403
    sql = get(app, catalogue, who, "/api/3/action/datastore_search_sql", sql=f'SELECT * FROM "{resource_id}"')
    assert sql.status_code == 403 and SECRET not in sql.get_data(as_text=True)
    dump = get(app, catalogue, who, f"/datastore/dump/{resource_id}")
    assert dump.status_code in (403, 404) and SECRET not in dump.get_data(as_text=True)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_activity_streams(app, catalogue, who):
    assert get(app, catalogue, who, "/api/3/action/package_activity_list", id="baustellen-intern").status_code == 403
    streams = [
        get(app, catalogue, who, "/api/3/action/organization_activity_list", id="tiefbauamt"),
        get(app, catalogue, who, "/api/3/action/recently_changed_packages_activity_list"),
        get(app, catalogue, who, "/organization/activity/tiefbauamt"),
    ]
    for answer in streams:
        assert answer.status_code == 200
        assert SECRET not in answer.get_data(as_text=True) and "baustellen-intern" not in answer.get_data(as_text=True)
    # The public dataset's activity is there: the stream itself works.
    assert "schulen" in streams[0].get_data(as_text=True)
