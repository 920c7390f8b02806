"""Hostile search parameters (hypothesis): ``package_search`` answers every ``q``, ``fq``, ``sort``
and ``facet.field`` with a result or a precise client error — never a server error, never an SQL
message, never a private dataset of a department the caller does not belong to."""

from __future__ import annotations

import json

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "chemnitz_search chemnitz scheming_datasets dataset_series dcat"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FIELDS = ["name", "title", "text", "tags", "organization", "res_format", "metadata_modified", "private",
          "capacity", "state", "id", "owner_org", "permission_labels", "extras_x", "spatial_geom",
          "stadtteil"]  # fmt: skip
# Pieces of Lucene, Solr local params and SQL that a parser could trip over.
SYNTAX = ['"', "'", "(", ")", "[", "]", "{", "}", ":", "*", "?", "~", "^", "\\", "/", "-", "+", "!", "&&", "||",
          " AND ", " OR ", " NOT ", " TO ", "{!", "$", "%", ";", "--", "/*", "NaN", "1e999", "\x00",
          "'; DROP TABLE package; --", "Intersects(ENVELOPE(", "NOW-1DAY", "[* TO *]", "ä", "ß",
          "\u202e", "(" * 60]  # fmt: skip
pieces = st.one_of(st.sampled_from(SYNTAX), st.sampled_from(FIELDS), st.text(max_size=8))
hostile = st.lists(pieces, max_size=8).map("".join)
field_clause = st.builds(lambda f, v: f"{f}:{v}", st.sampled_from(FIELDS), hostile)
sorts = st.one_of(
    hostile, st.builds(lambda f, d: f"{f} {d}", st.sampled_from(FIELDS), st.sampled_from(["asc", "desc", "", "x"]))
)
facet_fields = st.one_of(hostile, st.lists(st.one_of(st.sampled_from(FIELDS), hostile), max_size=4).map(json.dumps))


@pytest.fixture
def departments() -> dict:
    """A public dataset, and a private one of a department the searching user is not a member of."""
    stranger = factories.User()
    other = factories.Organization(name="tiefbauamt")
    factories.Organization(name="gruenflaechenamt", users=[{"name": stranger["name"], "capacity": "editor"}])
    helpers.call_action("package_create", **school_dataset(other["id"]))
    helpers.call_action(
        "package_create", **school_dataset(other["id"], name="intern", title="Interne Baustellenliste", private=True)
    )
    return {"Authorization": factories.APIToken(user=stranger["name"])["token"]}


def assert_safe(answer) -> None:
    body = answer.get_data(as_text=True)
    assert answer.status_code in (200, 400, 409), (answer.status_code, body[:500])
    assert not any(word in body for word in ("psycopg", "sqlalchemy", "SQL", "Traceback")), body[:500]
    if answer.status_code == 200:
        result = answer.json["result"]
        assert all(not dataset["private"] for dataset in result["results"])
        assert "intern" not in {dataset["name"] for dataset in result["results"]}
    else:
        assert answer.json["success"] is False and answer.json["error"]


@FUZZ
@given(q=hostile, fq=st.one_of(hostile, field_clause), sort=sorts, facets=facet_fields)
@example(q="(" * 5000, fq="(" * 5000 + "x" + ")" * 5000, sort="", facets="")  # Python's recursion limit: HTTP 500
def test_search_parameters_never_break_the_search(app, departments, q, fq, sort, facets):
    params = {"q": q, "fq": fq, "sort": sort, "facet.field": facets, "include_private": "true"}
    assert_safe(app.get("/api/3/action/package_search", query_string=params, headers=departments))


@FUZZ
@given(fq=st.lists(field_clause, min_size=1, max_size=4).map(" ".join), q=hostile)
@example(fq="name:\x00", q="")  # a NUL byte reached psycopg2 as a server error (search/query.py)
def test_field_clauses_cannot_reach_private_datasets(app, departments, fq, q):
    """``fq`` on ``private``, ``capacity``, ``permission_labels`` cannot widen what the caller may see."""
    for extra in ("", " private:true", " capacity:private", " permission_labels:*"):
        answer = app.get("/api/3/action/package_search", query_string={"q": q, "fq": fq + extra,
                         "include_private": "true"}, headers=departments)  # fmt: skip
        assert_safe(answer)


@FUZZ
@given(
    rows=st.one_of(hostile, st.integers(-(10**6), 10**6).map(str)),
    start=st.one_of(hostile, st.integers(-(10**6), 10**9).map(str)),
)
@example(rows="", start="")  # CKAN 2.12 alone answers this with a server error (security/search_input.py)
def test_paging_parameters(app, departments, rows, start):
    assert_safe(app.get("/api/3/action/package_search", query_string={"rows": rows, "start": start}))
