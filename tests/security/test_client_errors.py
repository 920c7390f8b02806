"""Anonymous requests that CKAN answered with a server error (HTTP 500) are answered with a client
error and a message saying what is wrong, or with the page, its search error notice and 400."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
import rdflib

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS + " datastore chemnitz_csv_downloads activity"),
    pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true"),
    pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "1"),
    pytest.mark.usefixtures("with_plugins", "clean_datastore", "clean_db_with_plugin_tables"),
]
DEEP = "(" * 5000 + "Schule" + ")" * 5000
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")


@pytest.fixture
def portal(app) -> dict:
    """Two public datasets of a department (one with a DataStore table), edited once (two versions)."""
    admin = factories.Sysadmin()
    context = {"user": admin["name"]}
    department = factories.Organization(name="tiefbauamt")
    parking = helpers.call_action("package_create", context=dict(context), **school_dataset(
        department["id"], name="parken", title="Parken in Chemnitz", resources=[]))  # fmt: skip
    helpers.call_action("package_create", context=dict(context), **school_dataset(
        department["id"], name="kita", title="Kita-Plätze in Chemnitz", resources=[]))  # fmt: skip
    helpers.call_action("package_patch", context=dict(context), id=parking["id"], notes="Neu beschrieben.")
    with app.flask_app.test_request_context():  # the DataStore names its table's URL with url_for
        table = helpers.call_action(
            "datastore_create", context=dict(context), resource={"package_id": parking["id"], "name": "Tabelle"},
            fields=[{"id": "name", "type": "text"}, {"id": "plaetze", "type": "int"}],
            records=[{"name": "Am Wall", "plaetze": 300}, {"name": "Am Wall", "plaetze": 120}],
        )  # fmt: skip
    token = factories.APIToken(user=admin["name"])["token"]
    return {"dataset": parking, "department": department, "table": table["resource_id"], "admin": token}


@pytest.mark.parametrize("parameter", ["q", "fq"])
def test_deeply_nested_parentheses_are_a_search_error(app, portal, parameter):
    answer = app.get("/api/3/action/package_search", query_string={parameter: DEEP}, status=409)
    assert "parentheses nested deeper than 50 levels" in answer.json["error"]["message"]
    nested = "(" * 50 + "Parken" + ")" * 50  # deep, but within the limit
    assert app.get("/api/3/action/package_search", query_string={parameter: nested}).json["result"]["count"] == 1


@pytest.mark.parametrize("path", ["/dataset/", "/organization/tiefbauamt"])
@pytest.mark.parametrize("q", ['"', DEEP])
def test_search_pages_show_the_search_error(app, portal, path, q):
    page = app.get(path, query_string={"q": q}, status=400).get_data(as_text=True)
    assert 'id="search-error"' in page
    assert 'id="search-error"' not in app.get(path, query_string={"q": "Parken"}, status=200).get_data(as_text=True)


def test_catalogue_pages_link_with_encoded_parameters(app, portal):
    answer = app.get("/catalog.ttl", query_string={"q": "Parken OR Kita"}, status=200)
    graph = rdflib.Graph().parse(data=answer.get_data(as_text=True), format="turtle")
    (following,) = graph.objects(None, HYDRA.next)
    assert str(following) == "http://test.ckan.net/catalog.ttl?q=Parken+OR+Kita&page=2"
    app.get(str(following), status=200)


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"q": '"'}, "missing closing quote"),
        ({"fq": DEEP}, "parentheses nested deeper than 50 levels"),
        ({"modified_since": "99999999999-01-01"}, "Wrong modified date format"),
    ],
)
def test_catalogue_refuses_broken_parameters_with_the_reason(app, portal, parameters, message):
    answer = app.get("/catalog.ttl", query_string=parameters, status=409)
    assert message in answer.get_data(as_text=True)


def test_collaborators_are_refused_to_anonymous_callers(app, portal):
    answer = app.get("/api/3/action/package_collaborator_list", query_string={"id": portal["dataset"]["id"]},
                     status=403)  # fmt: skip
    assert answer.json["error"]["message"] == "Access denied: Log in to see a dataset's collaborators"


def test_comparing_versions_needs_two_existing_versions(app, portal):
    assert "new_id and old_id" in app.get("/dataset/changes_multiple", status=400).get_data(as_text=True)
    app.get("/dataset/changes_multiple", query_string={"new_id": "x", "old_id": "y"}, status=404)
    activities = helpers.call_action("package_activity_list", id=portal["dataset"]["id"])
    new, old = activities[0]["id"], activities[-1]["id"]
    page = app.get("/dataset/changes_multiple", query_string={"new_id": new, "old_id": old},
                   headers={"Authorization": portal["admin"]}, status=200)  # fmt: skip
    assert "Neu beschrieben." in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("parameters", "reason"),
    [
        ({"distinct": "true", "fields": "name"}, "ORDER BY expressions must appear in select list"),
        ({"sort": "gibtsnicht"}, "gibtsnicht"),
        ({"filters": '{"plaetze": "viele"}'}, "invalid input syntax for type integer"),
        ({"filters": '{"plaetze": "viele"}', "format": "json"}, "invalid input syntax for type integer"),
    ],
)
def test_dump_parameters_the_table_cannot_answer_are_a_client_error(app, portal, parameters, reason):
    answer = app.get(f"/datastore/dump/{portal['table']}", query_string=parameters, status=400)
    assert "The download cannot be made" in answer.get_data(as_text=True)
    assert reason in answer.get_data(as_text=True)


def test_a_distinct_dump_sorted_by_its_field_works(app, portal):
    answer = app.get(f"/datastore/dump/{portal['table']}", query_string={"distinct": "true", "fields": "name",
                     "sort": "name"}, status=200)  # fmt: skip
    assert answer.get_data(as_text=True).lstrip("\ufeff").split() == ["name", "Am", "Wall"]


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT 'x'::int", 'invalid input syntax for type integer: "x"'),
        ("SELECT 1/0", "division by zero"),
        ("SELECT (SELECT 1 UNION SELECT 2)", "more than one row returned by a subquery"),
        ("SELECT '2025-02-30'::date", "date/time field value out of range"),
    ],
)
def test_sql_data_errors_are_a_client_error(app, portal, sql, reason):
    answer = app.get("/api/3/action/datastore_search_sql", query_string={"sql": sql}, status=409)
    assert answer.json["error"]["query"] == [answer.json["error"]["query"][0]]
    assert reason in answer.json["error"]["query"][0]


def test_sql_of_a_table_with_a_cast_error(app, portal):
    sql = f'SELECT name::int FROM "{portal["table"]}"'
    answer = app.get("/api/3/action/datastore_search_sql", query_string={"sql": sql}, status=409)
    assert answer.json["error"]["query"] == ['invalid input syntax for type integer: "Am Wall"']
