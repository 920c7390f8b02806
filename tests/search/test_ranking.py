"""Relevance (``sort=score desc``, the default with words) as a visitor sees it, the same on PostgreSQL
and on Solr (this folder runs on both): each word counts with the best place it occurs in (title and
name, description, tags/groups/organisation, anything else), summed over the words; whatever else
differs (length, how often a word repeats) leaves datasets equal, and equal ones come newest first.
The rule is ``fields.RANK_CLASSES``; before it, the backends ordered the same hits differently
(top-10 overlap 0.60 at 10,000 datasets, docs/search.md)."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.support.search import titles

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def test_a_word_in_the_title_outweighs_any_number_of_mentions_elsewhere():
    factories.Dataset(
        title="Mobilität",
        notes="Parkhaus Parkhaus Parkhaus: Belegung jedes Parkhauses.",
        tags=[{"name": "Parkhaus"}],
        resources=[{"url": "http://x.de/p.csv", "name": "Parkhaus", "description": "Parkhaus"}],
    )
    factories.Dataset(title="Parkhaus")
    assert titles(q="Parkhaus") == ["Parkhaus", "Mobilität"]


def test_the_department_counts_like_a_tag_above_resources():
    tiefbau = factories.Organization(name="tiefbauamt", title="Tiefbauamt")
    factories.Dataset(title="Baustellen", resources=[{"url": "http://x.de/b.csv", "description": "vom Tiefbauamt"}])
    factories.Dataset(title="Brücken", owner_org=tiefbau["id"])
    factories.Dataset(title="Straßen", notes="Gepflegt vom Tiefbauamt.")
    assert titles(q="Tiefbauamt") == ["Straßen", "Brücken", "Baustellen"]


def test_each_word_adds_the_weight_of_its_best_place():
    factories.Dataset(title="Belegung", notes="Parkhaus")  # 1 + 1/2
    factories.Dataset(title="Parkhaus Belegung")  # 1 + 1
    factories.Dataset(title="Stadt", notes="Parkhaus Belegung")  # 1/2 + 1/2
    factories.Dataset(title="Parkhaus", tags=[{"name": "Belegung"}])  # 1 + 1/4
    assert titles(q="Parkhaus Belegung") == ["Parkhaus Belegung", "Belegung", "Parkhaus", "Stadt"]


def test_words_joined_by_or_rank_datasets_with_both_first():
    factories.Dataset(title="Friedhöfe", resources=[{"url": "http://x.de/d.csv", "name": "Denkmale"}])
    factories.Dataset(title="Denkmale")
    factories.Dataset(title="Friedhöfe und Parks")
    # both words first; then the rest newest first (the standard parser counts matched words only)
    assert titles(q="Denkmale OR Friedhöfe") == ["Friedhöfe", "Friedhöfe und Parks", "Denkmale"]


def test_equally_relevant_datasets_come_newest_first_whatever_their_length():
    short = factories.Dataset(title="Schulen", notes="Standorte.")
    factories.Dataset(
        title="Schulen Kaßberg 2019",
        notes="Standorte der Schulen auf dem Kaßberg mit Schulart, Träger, Anschrift und Schülerzahlen.",
        tags=[{"name": "Schule"}, {"name": "Bildung"}, {"name": "Kaßberg"}],
    )
    assert titles(q="Schule") == ["Schulen Kaßberg 2019", "Schulen"]
    helpers.call_action("package_patch", id=short["id"], notes="Standorte, aktualisiert.")
    assert titles(q="Schule") == ["Schulen", "Schulen Kaßberg 2019"]
