"""What a portal user notices of the PostgreSQL search backend: German words, Solr syntax, access."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import ckan.model as model
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
import sqlalchemy as sa
from ckan.cli.cli import ckan
from ckan.lib.search.common import SearchError, SearchQueryError

from ckanext.chemnitz.search import facets
from tests.support.search import search, titles

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def index_row_count() -> int:
    return model.Session.execute(sa.text("SELECT count(*) FROM chemnitz_search.package_index")).scalar()


class TestGermanFullText:
    def test_inflected_forms_find_each_other(self):
        factories.Dataset(title="Schule am Hang", notes="Eine Grundschule in Chemnitz")
        factories.Dataset(title="Kitas im Stadtgebiet")
        factories.Dataset(title="Baustellen an der Straße der Nationen")
        factories.Dataset(title="Wetterdaten")  # decoy

        assert titles(q="Schulen") == ["Schule am Hang"]
        assert titles(q="Kita") == ["Kitas im Stadtgebiet"]
        assert titles(q="Kitas") == ["Kitas im Stadtgebiet"]
        assert titles(q="Strasse") == ["Baustellen an der Straße der Nationen"]
        assert titles(q="straße") == ["Baustellen an der Straße der Nationen"]

    def test_accents_and_umlauts_are_optional(self):
        factories.Dataset(title="Café-Standorte in Glösa-Draisdorf")
        assert titles(q="Cafe") == ["Café-Standorte in Glösa-Draisdorf"]
        assert titles(q="Glosa") == ["Café-Standorte in Glösa-Draisdorf"]

    def test_stop_words_do_not_block_a_match(self):
        factories.Dataset(title="Schulen in Chemnitz")
        assert titles(q="Schulen in Chemnitz") == ["Schulen in Chemnitz"]
        # Stop words do not count: three words, all but one needed ("Stadt" is missing) …
        assert titles(q="Schulen in der Stadt Chemnitz") == ["Schulen in Chemnitz"]
        # … four words, three needed; and "in" does not stand in for a missing word (Solr alike).
        assert titles(q="Schulen in der Stadt Chemnitz Sachsen") == []
        assert titles(q="Schulen in Kaßberg") == []

    def test_prefix_search_for_type_ahead(self):
        factories.Dataset(title="Schulsozialarbeit")
        factories.Dataset(title="Parkplätze für Reisebusse")
        assert titles(q="Schulsoz*") == ["Schulsozialarbeit"]
        assert titles(q="parkpl*") == ["Parkplätze für Reisebusse"]

    def test_title_ranks_above_description_above_tags_and_resources(self):
        factories.Dataset(title="Haushalt", resources=[{"url": "http://x.de/a.csv", "name": "Parkhaus"}])
        factories.Dataset(title="Verkehr", tags=[{"name": "Parkhaus"}])
        factories.Dataset(title="Mobilität", notes="Belegung jedes Parkhauses der Stadt")
        factories.Dataset(title="Parkhaus Getreidemarkt")
        assert titles(q="Parkhaus") == ["Parkhaus Getreidemarkt", "Mobilität", "Verkehr", "Haushalt"]

    def test_dismax_minimum_match_for_several_words(self):
        factories.Dataset(title="Schulen Kitas Horte")
        factories.Dataset(title="Schulen Kitas")
        factories.Dataset(title="Schulen")
        # two words: both required; three words: all but one.
        assert sorted(titles(q="Schulen Kitas")) == ["Schulen Kitas", "Schulen Kitas Horte"]
        assert sorted(titles(q="Schulen Kitas Horte")) == ["Schulen Kitas", "Schulen Kitas Horte"]


class TestSolrSyntax:
    @pytest.fixture
    def catalogue(self, clean_db, clean_index):
        jugend = factories.Organization(name="amt-fuer-jugend-und-familie", title="Amt für Jugend und Familie")
        vermessung = factories.Organization(name="vermessungsamt", title="Städtisches Vermessungsamt")
        gruppe = factories.Group(name="bildung")
        factories.Dataset(
            name="kitas",
            title="Kindertageseinrichtungen",
            owner_org=jugend["id"],
            tags=[{"name": "Kita"}, {"name": "Familie"}],
            license_id="odc-by",
            groups=[{"name": gruppe["name"]}],
            resources=[
                {"url": "http://x.de/k.csv", "format": "CSV"},
                {"url": "http://x.de/k.geojson", "format": "GeoJSON"},
            ],
            extras=[
                {
                    "key": "spatial_uri",
                    "value": "http://dcat-ap.de/def/politicalGeocoding/regionalKey/145110000000",
                }
            ],
        )
        factories.Dataset(
            name="schulsozialarbeit",
            title="Schulsozialarbeit",
            owner_org=jugend["id"],
            tags=[{"name": "Schule"}],
            license_id="cc-by",
            resources=[{"url": "http://x.de/s.csv", "format": "CSV"}],
        )
        factories.Dataset(
            name="stadtteile",
            title="Stadtteile",
            owner_org=vermessung["id"],
            tags=[{"name": "Geodaten"}],
            license_id="odc-by",
            resources=[{"url": "http://x.de/st.geojson", "format": "GeoJSON"}],
        )

    @pytest.mark.usefixtures("catalogue")
    @pytest.mark.parametrize(
        ("fq", "expected"),
        [
            ("organization:amt-fuer-jugend-und-familie", ["kitas", "schulsozialarbeit"]),
            ("res_format:CSV", ["kitas", "schulsozialarbeit"]),
            ("res_format:GeoJSON +organization:vermessungsamt", ["stadtteile"]),
            ("tags:Kita", ["kitas"]),
            ('tags:"Kita"', ["kitas"]),
            ("tags:kita", []),  # string fields are exact, like Solr's
            ("groups:bildung", ["kitas"]),
            ("license_id:odc-by -tags:Geodaten", ["kitas"]),
            ("license_id:odc-by AND NOT tags:Geodaten", ["kitas"]),
            ("tags:(Schule OR Geodaten)", ["schulsozialarbeit", "stadtteile"]),
            ("name:schul*", ["schulsozialarbeit"]),
            ("name:*teile", ["stadtteile"]),
            ('spatial_uri:"http://dcat-ap.de/def/politicalGeocoding/regionalKey/145110000000"', ["kitas"]),
            ("spatial_uri:*", ["kitas"]),
            ("title:Stadtteil", ["stadtteile"]),
            ("(tags:Kita OR tags:Schule) AND res_format:CSV", ["kitas", "schulsozialarbeit"]),
            ("num_resources:[2 TO *]", ["kitas"]),
            ("metadata_modified:[NOW-1DAY TO NOW]", ["kitas", "schulsozialarbeit", "stadtteile"]),
            ("metadata_modified:[* TO NOW-1DAY]", []),
        ],
    )
    def test_filter_queries(self, fq, expected):
        assert sorted(r["name"] for r in search(fq=fq)["results"]) == expected

    @pytest.mark.usefixtures("catalogue")
    def test_fielded_q_and_id(self):
        kitas = helpers.call_action("package_show", id="kitas")
        assert [r["name"] for r in search(q=f"id:{kitas['id']}")["results"]] == ["kitas"]
        assert [r["name"] for r in search(q="name:kitas OR name:stadtteile", sort="name asc")["results"]] == [
            "kitas",
            "stadtteile",
        ]

    @pytest.mark.usefixtures("catalogue")
    def test_facets_with_limit_mincount_and_sort(self):
        result = search(**{"facet.field": ["res_format", "organization", "tags", "license_id"], "facet.limit": 10})
        assert result["facets"]["res_format"] == {"CSV": 2, "GeoJSON": 2}
        assert result["facets"]["organization"] == {"amt-fuer-jugend-und-familie": 2, "vermessungsamt": 1}
        assert result["facets"]["license_id"] == {"odc-by": 2, "cc-by": 1}
        organizations = {item["name"]: item for item in result["search_facets"]["organization"]["items"]}
        assert organizations["vermessungsamt"]["display_name"] == "Städtisches Vermessungsamt"

        limited = search(**{"facet.field": ["tags"], "facet.limit": 2, "facet.sort": "index"})
        assert list(limited["facets"]["tags"]) == ["Familie", "Geodaten"]
        frequent = search(**{"facet.field": ["organization"], "facet.mincount": 2})
        assert frequent["facets"]["organization"] == {"amt-fuer-jugend-und-familie": 2}
        filtered = search(fq="tags:Kita", **{"facet.field": ["res_format"]})
        assert filtered["facets"]["res_format"] == {"CSV": 1, "GeoJSON": 1}

    @pytest.mark.usefixtures("catalogue")
    def test_sorting_paging_and_field_lists(self):
        assert [r["name"] for r in search(sort="title_string desc")["results"]] == [
            "stadtteile",
            "schulsozialarbeit",
            "kitas",
        ]
        by_org_then_name = search(sort="organization asc, name desc", fl=["name"])["results"]
        assert [r["name"] for r in by_org_then_name] == ["schulsozialarbeit", "kitas", "stadtteile"]
        page = search(sort="name asc", rows=1, start=1, fl=["name", "title"])
        assert page["count"] == 3
        assert page["results"] == [{"name": "schulsozialarbeit", "title": "Schulsozialarbeit"}]
        beyond = search(sort="name asc", rows=5, start=10)
        assert beyond["count"] == 3 and beyond["results"] == []
        validated = search(q="name:kitas", fl=["validated_data_dict"])["results"][0]
        assert '"name": "kitas"' in validated["validated_data_dict"]

    @pytest.mark.parametrize("sort", ["metadata_modified", "title_string upwards", "random() asc", "name asc,"])
    def test_invalid_sort_is_a_query_error(self, sort):
        with pytest.raises(SearchQueryError, match='Invalid "sort" parameter'):
            search(sort=sort)

    @pytest.mark.parametrize(
        "q",
        [
            "title:(Schule",
            'tags:"Kita',
            "metadata_modified:[NOW-1DAY TO",
            "metadata_modified:[gestern TO NOW]",
            "title:[a TO b]",
            "Schule AND",
        ],
    )
    def test_invalid_syntax_is_a_search_error(self, q):
        with pytest.raises(SearchError, match="Search Query is invalid"):
            search(q=q)

    def test_invalid_syntax_gives_409_through_the_api(self, app):
        response = app.get("/api/3/action/package_search", query_string={"q": "title:(Schule"}, status=409)
        error = response.json["error"]
        assert error["__type"] == "Search Error"
        assert "Search Query is invalid" in error["message"]
        assert "missing closing parenthesis" in error["message"]

    def test_sql_in_user_input_is_only_ever_data(self):
        factories.Dataset(name="harmlos", title="Harmlos")
        for hostile in [
            "'; DROP TABLE package; --",
            "name:\"x' OR '1'='1\"",
            "tags:a\\'b",
            "title:*'--",
            'res_format:"\\"; SELECT 1"',
            "name:harmlos'); DELETE FROM package; --",
        ]:
            for parameter in ("q", "fq"):
                try:
                    assert search(**{parameter: hostile})["count"] == 0
                except SearchError as error:  # refused as bad syntax: fine, as long as nothing ran
                    assert "Search Query is invalid" in str(error)
        assert search(q="Harmlos")["count"] == 1
        assert model.Session.query(model.Package).count() == 1


class TestVisibility:
    def test_private_datasets_only_for_members_and_sysadmins(self):
        member = factories.User()
        outsider = factories.User()
        sysadmin = factories.Sysadmin()
        org = factories.Organization(users=[{"name": member["name"], "capacity": "member"}])
        factories.Organization(users=[{"name": outsider["name"], "capacity": "admin"}])
        factories.Dataset(owner_org=org["id"], private=True, title="Interne Planung")
        factories.Dataset(owner_org=org["id"], title="Öffentliche Planung")

        def visible(user: dict | None) -> list[str]:
            context = {"ignore_auth": False, "user": user["name"] if user else ""}
            result = helpers.call_action(
                "package_search",
                context=context,
                q="Planung",
                include_private=True,
                **{"facet.field": ["capacity"]},
            )
            assert result["count"] == sum(result["facets"].get("capacity", {}).values())
            return sorted(r["title"] for r in result["results"])

        assert visible(None) == ["Öffentliche Planung"]
        assert visible(outsider) == ["Öffentliche Planung"]
        assert visible(member) == ["Interne Planung", "Öffentliche Planung"]
        assert visible(sysadmin) == ["Interne Planung", "Öffentliche Planung"]

    def test_privacy_change_delete_and_purge_update_the_index(self):
        org = factories.Organization()
        dataset = factories.Dataset(owner_org=org["id"], title="Wahllokale")
        assert titles(q="Wahllokale") == ["Wahllokale"]
        helpers.call_action("package_patch", id=dataset["id"], private=True)
        assert titles(q="Wahllokale") == []
        assert titles(q="Wahllokale", include_private=True) == ["Wahllokale"]
        helpers.call_action("package_patch", id=dataset["id"], private=False)
        helpers.call_action("package_delete", id=dataset["id"])
        assert titles(q="Wahllokale", include_deleted=True) == []  # removed, not only hidden
        helpers.call_action("dataset_purge", id=dataset["id"])
        assert index_row_count() == 0

    def test_drafts_only_with_include_drafts_for_their_creator(self):
        user = factories.User()
        factories.Dataset(title="Entwurf Radwege", state="draft", user=user)
        context = {"ignore_auth": False, "user": user["name"]}
        assert titles(q="Radwege") == []
        found = helpers.call_action("package_search", context=context, q="Radwege", include_drafts=True)
        assert [r["title"] for r in found["results"]] == ["Entwurf Radwege"]


class TestTransactions:
    def test_a_failed_update_leaves_the_index_as_it_was(self):
        dataset = factories.Dataset(title="Bäume")
        with (
            mock.patch.object(model.repo, "commit", side_effect=RuntimeError("database went away")),
            pytest.raises(RuntimeError),
        ):
            helpers.call_action("package_patch", id=dataset["id"], title="Baumkataster")
        model.Session.rollback()
        assert titles(q="Baumkataster") == []
        assert titles(q="Bäume") == ["Bäume"]

    def test_index_rebuild_repairs_lost_rows_and_shows_progress(self, cli):
        for number in range(3):
            factories.Dataset(title=f"Messreihe {number}")
        model.Session.execute(sa.text("DELETE FROM chemnitz_search.package_index"))
        model.Session.commit()
        assert search(q="Messreihe")["count"] == 0

        check = cli.invoke(ckan, ["search-index", "check"])
        assert "Packages not indexed = 3 out of 3" in check.output
        result = cli.invoke(ckan, ["search-index", "rebuild"])
        assert result.exit_code == 0, result.output
        assert "Indexing datasets" in result.output
        assert search(q="Messreihe")["count"] == 3

    def test_check_finds_nothing_on_a_healthy_index(self, cli):
        """CKAN's timestamps have microseconds, the index keeps milliseconds (as Solr): not a divergence."""
        dataset = factories.Dataset(title="Messstelle Ost")
        model.Session.execute(
            sa.text("UPDATE package SET metadata_modified = '2026-12-02 07:08:11.951218' WHERE id = :id"), dataset
        )
        model.Session.commit()
        assert cli.invoke(ckan, ["search-index", "rebuild"]).exit_code == 0
        check = cli.invoke(ckan, ["search-index", "check"]).output
        assert "Index entries older than their dataset = 0" in check and "outdated" not in check

    def test_check_reports_every_divergence_and_rebuild_repairs_it(self, cli):
        """Divergence made behind CKAN's back, as a partial restore or a failed write leaves it."""
        north = factories.Dataset(title="Messstelle Nord")
        south = factories.Dataset(title="Messstelle Süd")
        # South's entry now belongs to no dataset (orphaned) and South has none (missing);
        # North changed in the database without being re-indexed (outdated). A district's name, not
        # "West": the factories' random English text can contain that word.
        model.Session.execute(sa.text("UPDATE chemnitz_search.package_index SET id = 'geist' WHERE id = :id"), south)
        rename = "UPDATE package SET title = 'Messstelle Klaffenbach', metadata_modified = now() WHERE id = :id"
        model.Session.execute(sa.text(rename), north)
        model.Session.commit()
        assert search(q="Messstelle Klaffenbach")["count"] == 0

        check = cli.invoke(ckan, ["search-index", "check"]).output
        assert "Packages not indexed = 1 out of 2" in check
        assert "Index entries without a dataset = 1" in check and "orphaned: geist" in check
        assert "Index entries older than their dataset = 1" in check and f"outdated: {north['name']}" in check

        assert cli.invoke(ckan, ["search-index", "rebuild"]).exit_code == 0
        assert sorted(r["id"] for r in search(q="Messstelle")["results"]) == sorted([north["id"], south["id"]])
        assert search(q="Messstelle Klaffenbach")["count"] == 1
        repaired = cli.invoke(ckan, ["search-index", "check"]).output
        assert "Packages not indexed = 0 out of 2" in repaired and "= 1" not in repaired


class TestWebSearch:
    def test_search_page_finds_an_inflected_word_and_shows_facets(self, app):
        org = factories.Organization(title="Amt für Jugend und Familie")
        factories.Dataset(
            title="Kindertageseinrichtungen und Kitas",
            owner_org=org["id"],
            resources=[{"url": "http://x.de/k.csv", "format": "CSV"}],
        )
        page = app.get("/dataset/", query_string={"q": "Kita"})
        assert "Kindertageseinrichtungen und Kitas" in page.body
        assert "Amt für Jugend und Familie" in page.body
        assert "CSV" in page.body

    def test_search_page_with_bad_syntax_is_not_a_server_error(self, app):
        page = app.get("/dataset/", query_string={"q": "title:(Kita"})
        assert page.status_code == 200


def test_metadata_modified_ranges_use_real_time():
    factories.Dataset(title="Alt")
    old = dt.datetime(2020, 5, 1, tzinfo=dt.timezone.utc).isoformat()
    model.Session.execute(sa.text("UPDATE chemnitz_search.package_index SET metadata_modified = :t"), {"t": old})
    model.Session.commit()
    assert search(fq="metadata_modified:[2020-01-01T00:00:00Z TO 2020-12-31T23:59:59Z]")["count"] == 1
    assert search(fq="metadata_modified:[NOW-1YEAR TO NOW]")["count"] == 0


class TestFacetCache:
    def test_counts_change_with_the_catalogue_at_once(self):
        org = factories.Organization(name="tiefbauamt")
        factories.Dataset(owner_org=org["id"], resources=[{"url": "http://x.de/a.csv", "format": "CSV"}])
        facet = {"facet.field": ["res_format"]}
        with mock.patch.object(facets, "_compute", wraps=facets._compute) as compute:
            assert search(**facet)["facets"]["res_format"] == {"CSV": 1}
            assert search(**facet)["facets"]["res_format"] == {"CSV": 1}
        assert compute.call_count == 1  # the second answer came from the cache

        second = factories.Dataset(owner_org=org["id"], resources=[{"url": "http://x.de/b.csv", "format": "CSV"}])
        assert search(**facet)["facets"]["res_format"] == {"CSV": 2}
        helpers.call_action("package_delete", id=second["id"])
        assert search(**facet)["facets"]["res_format"] == {"CSV": 1}

    def test_counts_without_redis(self):
        from redis.exceptions import ConnectionError as RedisConnectionError

        factories.Dataset(tags=[{"name": "Parken"}])
        with mock.patch("ckanext.chemnitz.search.facets.connect_to_redis", side_effect=RedisConnectionError("down")):
            assert search(**{"facet.field": ["tags"]})["facets"]["tags"] == {"Parken": 1}
