"""The Lucene parser and Solr date math, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.chemnitz.search import datemath, lucene
from ckanext.chemnitz.search.compiler import minimum_should_match
from ckanext.chemnitz.search.errors import InvalidQuery

MUST, SHOULD, MUST_NOT = lucene.Occur.MUST, lucene.Occur.SHOULD, lucene.Occur.MUST_NOT


def occurs(query: lucene.BooleanQuery) -> list[tuple[lucene.Occur, object]]:
    return [(clause.occur, clause.query) for clause in query.clauses]


def test_field_value_phrase_and_free_text():
    query = lucene.parse('tags:Schule "offene Daten" Chemnitz')
    assert occurs(query) == [
        (MUST, lucene.Term("tags", "Schule")),
        (MUST, lucene.Phrase(None, "offene Daten")),
        (MUST, lucene.Term(None, "Chemnitz")),
    ]


def test_lucene_boolean_semantics_with_default_and():
    # Solr's classic parser: OR turns both neighbours into SHOULD, the rest stays MUST.
    query = lucene.parse("a OR b c")
    assert [occur for occur, _ in occurs(query)] == [SHOULD, SHOULD, MUST]
    query = lucene.parse("+a -b NOT c !d")
    assert [occur for occur, _ in occurs(query)] == [MUST, MUST_NOT, MUST_NOT, MUST_NOT]
    assert lucene.parse("a && b || c").has_operators


def test_groups_carry_their_field():
    query = lucene.parse("+state:(active OR draft)")
    ((occur, group),) = occurs(query)
    assert occur is MUST
    assert isinstance(group, lucene.BooleanQuery)
    assert [c.query for c in group.clauses] == [lucene.Term("state", "active"), lucene.Term("state", "draft")]


def test_ranges_wildcards_exists_and_match_all():
    assert occurs(lucene.parse("metadata_modified:[NOW-1DAY TO *}")) == [
        (MUST, lucene.Range("metadata_modified", "NOW-1DAY", None, True, False))
    ]
    assert occurs(lucene.parse("name:schul*")) == [(MUST, lucene.Term("name", "schul*", like="schul%", prefix="schul"))]
    assert occurs(lucene.parse("name:sch?le_1")) == [
        (MUST, lucene.Term("name", "sch?le_1", like="sch_le\\_1", prefix=None))
    ]
    assert occurs(lucene.parse("extras_spatial:*")) == [(MUST, lucene.Exists("extras_spatial"))]
    assert occurs(lucene.parse("*:*")) == [(MUST, lucene.MatchAll())]


def test_escapes_boosts_and_fuzzy_suffixes():
    query = lucene.parse(r"res_url:https\://chemnitz.de/a\*b^2 title:schule~1")
    assert occurs(query) == [
        (MUST, lucene.Term("res_url", "https://chemnitz.de/a*b")),
        (MUST, lucene.Term("title", "schule")),
    ]


def test_hyphenated_words_stay_one_term():
    assert occurs(lucene.parse("Glösa-Draisdorf")) == [(MUST, lucene.Term(None, "Glösa-Draisdorf"))]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("title:(Schule", "missing closing parenthesis"),
        ('"offene Daten', "missing closing quote"),
        ("metadata_modified:[NOW TO", "missing ']' or '}'"),
        ("metadata_modified:[NOW]", "a range must look like"),
        ("AND Schule", "needs a clause before it"),
        ("Schule AND", "expected a search term"),
        ("tags:", "unexpected 'end of query'"),
        ("()", "empty query"),
        ("Schule)", "unexpected ')'"),
        ("Schule\\", "dangling escape"),
    ],
)
def test_invalid_syntax_is_reported_with_reason_and_position(text, reason):
    with pytest.raises(InvalidQuery) as raised:
        lucene.parse(text)
    message = str(raised.value)
    assert message.startswith("Search Query is invalid: Cannot parse")
    assert reason in message
    assert "at position" in message


NOW = dt.datetime(2026, 3, 31, 14, 45, 30, 123456, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("NOW", NOW),
        ("NOW-1DAY", NOW - dt.timedelta(days=1)),
        ("NOW/DAY", dt.datetime(2026, 3, 31, tzinfo=dt.timezone.utc)),
        ("NOW/DAY-7DAYS", dt.datetime(2026, 3, 24, tzinfo=dt.timezone.utc)),
        ("NOW-1MONTH", dt.datetime(2026, 2, 28, 14, 45, 30, 123456, tzinfo=dt.timezone.utc)),
        ("NOW+1YEAR/MONTH", dt.datetime(2027, 3, 1, tzinfo=dt.timezone.utc)),
        ("2024-01-01T00:00:00Z+6HOURS", dt.datetime(2024, 1, 1, 6, tzinfo=dt.timezone.utc)),
        ("2024-02-29", dt.datetime(2024, 2, 29, tzinfo=dt.timezone.utc)),
        ("2024-01-01T01:00:00+01:00", dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)),
    ],
)
def test_date_math(expression, expected):
    assert datemath.parse(expression, now=NOW) == expected


@pytest.mark.parametrize("expression", ["yesterday", "NOW-1FORTNIGHT", "NOW-DAY", "2024-13-01"])
def test_invalid_date_math(expression):
    with pytest.raises(datemath.DateMathError):
        datemath.parse(expression, now=NOW)


@pytest.mark.parametrize(("optional", "required"), [(1, 1), (2, 2), (3, 2), (5, 4), (6, 4), (10, 8)])
def test_ckan_default_minimum_should_match(optional, required):
    assert minimum_should_match("2<-1 5<80%", optional) == required


def test_other_minimum_should_match_forms():
    assert minimum_should_match("100%", 4) == 4
    assert minimum_should_match("-1", 4) == 3
    assert minimum_should_match("-25%", 4) == 3
    assert minimum_should_match("3", 2) == 2
