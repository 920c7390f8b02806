"""Hostile parameters of the DCAT catalogue (``/catalog.<format>``: ``q``, ``fq``, ``page``,
``modified_since``, ``profiles``) and hostile ``datastore_search_sql`` statements (hypothesis): a result or
a client error with a message, never a server error. ``q``, ``fq`` and ``sort`` of ``package_search``
are fuzzed in test_search_fuzzing.py."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset
from tests.security.test_search_fuzzing import FIELDS, hostile

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS + " datastore chemnitz_csv_downloads"),
    pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true"),
    pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "1"),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_datastore", "clean_db", "clean_index"),
]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FORMATS = ["ttl", "rdf", "xml", "jsonld", "n3", "nt", "json", "html", "csv", "", "ttl.ttl", "%00"]
PROFILES = ["dcat_ap_de", "euro_dcat_ap_2", "euro_dcat_ap_3", "schemaorg", "gibtsnicht", "", ",", "dcat_ap_de,x"]
DATES = ["2025-01-01", "2025-01-01T00:00:00", "2025-01-01T00:00:00+02:00", "2025-13-45", "99999999999", "NOW",
         "-1", "0", "1e999", "0000-00-00", "2025-01-01T25:61:61Z", "31.12.2024", "\x00"]  # fmt: skip
numbers = st.one_of(st.integers(-(10**20), 10**20).map(str), hostile)
# Pieces of SQL: clauses, casts, functions (allowed or not), literals and what a tokenizer trips over.
SQL = ["SELECT ", " FROM ", " WHERE ", " GROUP BY ", " ORDER BY ", " LIMIT ", " OFFSET ", " UNION ", " JOIN ",
       "*", "1", "-1", "0", "1/0", "2147483648", "1e999", "'x'", "''", "'2025-02-30'", "::int", "::date", "::numeric",
       "::text[]", "::json", "::bigint", "(", ")", ",", ";", "--", "/*", "*/", '"', "\x00", "$$", "E'\\x'",
       "count(", "sum(", "avg(", "length(", "to_date(", "pg_sleep(", "lo_import(", "pg_read_file(", "version(",
       "generate_series(", "repeat(", "string_agg(", "regexp_replace(", "array_agg(", "jsonb_build_object(",
       "current_user", "pg_catalog.pg_user", "information_schema.tables", "_table_metadata", "{table}", "name",
       "plaetze", "_id", "ä", "\u202e", " AS x", " CASE WHEN ", " THEN ", " ELSE ", " END", "NULL", "true"]  # fmt: skip
statements = st.lists(st.one_of(st.sampled_from(SQL), st.text(max_size=6)), min_size=1, max_size=10).map("".join)


@pytest.fixture
def table() -> str:
    """Two public datasets (the catalogue pages) and a DataStore table anyone may query."""
    organization = factories.Organization()
    dataset = helpers.call_action("package_create", **school_dataset(organization["id"], resources=[]))
    helpers.call_action("package_create", **school_dataset(organization["id"], name="parken", title="Parken"))
    created = helpers.call_action(
        "datastore_create", resource={"package_id": dataset["id"], "name": "Tabelle"},
        fields=[{"id": "name", "type": "text"}, {"id": "plaetze", "type": "int"}],
        records=[{"name": "Am Wall", "plaetze": 300}, {"name": "Moritzhof", "plaetze": 120}],
    )  # fmt: skip
    return created["resource_id"]


def assert_client_error_at_most(answer) -> None:
    assert answer.status_code < 500, (answer.status_code, answer.get_data(as_text=True)[:800])


@FUZZ
@given(
    q=st.one_of(hostile, st.sampled_from(["Parken OR Kita", "Schule", "*:*", '<>"{}|\\^`#&='])),
    fq=st.one_of(hostile, st.builds(lambda f, v: f"{f}:{v}", st.sampled_from(FIELDS), hostile)),
    page=numbers,
    modified_since=st.one_of(st.sampled_from(DATES), hostile),
    profiles=st.one_of(st.sampled_from(PROFILES), hostile),
    suffix=st.sampled_from(FORMATS),
)
@example(q="Parken OR Kita", fq="", page="1", modified_since="", profiles="", suffix="ttl")  # invalid page link IRI
@example(q="", fq="", page="99999999999999999999", modified_since="", profiles="", suffix="ttl")
@example(q="", fq="", page="", modified_since="99999999999", profiles="", suffix="ttl")  # dateutil OverflowError
def test_catalogue_parameters_never_break_the_catalogue(app, table, q, fq, page, modified_since, profiles, suffix):
    parameters = {"q": q, "fq": fq, "page": page, "modified_since": modified_since, "profiles": profiles}
    assert_client_error_at_most(app.get(f"/catalog.{suffix}", query_string=parameters))
    assert_client_error_at_most(app.get("/catalog", query_string=parameters, headers={"Accept": "text/turtle"}))


@FUZZ
@given(sql=statements)
@example(sql="SELECT 'x'::int")  # a cast error was a server error
@example(sql='SELECT name::int FROM "{table}"')
@example(sql="SELECT 1/0")
@example(sql="SELECT \x00")
def test_sql_statements_never_break_the_datastore(app, table, sql):
    answer = app.get("/api/3/action/datastore_search_sql", query_string={"sql": sql.replace("{table}", table)})
    assert_client_error_at_most(answer)
    if answer.status_code != 200:
        assert answer.json["success"] is False and answer.json["error"]
