"""Private datasets, drafts, deleted and purged datasets stay invisible to those who may not see
them — anonymous visitors, ordinary logged-in users and editors of other departments — on every
channel: search and facet counts, pages, the DCAT catalogue and dataset RDF, the DataStore API,
existence answers (a hidden dataset answers exactly as one that does not exist), activity streams
(API and pages, the automatically created resource views included), single activities and their
diffs, ``member_list``, tags and formats. Each channel is paired with the department's own editor,
who sees the dataset, so a channel that shows nothing to anyone cannot pass."""

from __future__ import annotations

import ckan.model as model
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from ckanext.activity.model import Activity

from tests.dcat.examples import school_dataset
from tests.support import rdf

pytestmark = [
    pytest.mark.ckan_config(
        "ckan.plugins",
        "chemnitz_search chemnitz datastore scheming_datasets dataset_series dcat activity"
        " chemnitz_table_view chemnitz_map_view",
    ),
    # the portal's automatic previews (config/ckan-portal.conf): their activities carry no permission labels
    pytest.mark.ckan_config("ckan.views.default_views", "chemnitz_table_view chemnitz_map_view"),
    pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true"),
    pytest.mark.ckan_config("ckan.auth.public_activity_stream_detail", "true"),
    pytest.mark.usefixtures("with_plugins", "clean_datastore", "clean_db_with_plugin_tables", "clean_index"),
]
SECRET = "Geheimprojekt"
SECRET_FORMAT = "GEHEIMFORMAT"
OUTSIDERS = ["anonymous", "user", "stranger"]
LOGGED_IN_OUTSIDERS = ["user", "stranger"]
HIDDEN = ["baustellen-intern", "entwurf", "abgerissen", "endgueltig-weg", "spaeter-intern"]


@pytest.fixture
def catalogue() -> dict:
    """Datasets of the Tiefbauamt: a public one; hidden ones — private (with a DataStore table),
    draft, deleted, purged, public and later made private; one private first and published later.
    Every dataset has a GeoJSON resource, so a map preview is created for it automatically."""
    owner = factories.User(name="tiefbau-editor")
    stranger = factories.User(name="gruenflaechen-editor")
    ordinary = factories.User(name="buergerin")
    sysadmin = factories.Sysadmin()
    org = factories.Organization(name="tiefbauamt", users=[{"name": owner["name"], "capacity": "editor"}])
    factories.Organization(name="gruenflaechenamt", users=[{"name": stranger["name"], "capacity": "editor"}])

    def act(action: str, user: str = owner["name"], **data) -> dict:
        return helpers.call_action(action, context={"user": user}, **data)

    def create(**changes) -> dict:
        return act("package_create", **school_dataset(org["id"], **changes))

    public = create()
    private = create(
        name="baustellen-intern", title=f"{SECRET} Baustellen", private=True, tag_string="Bildung,geheimwort"
    )
    table = factories.Resource(package_id=private["id"], url="https://example.org/b.csv", format=SECRET_FORMAT)
    act("datastore_create", resource_id=table["id"], force=True, fields=[{"id": "strasse", "type": "text"}],
        records=[{"strasse": f"{SECRET}straße 1"}])  # fmt: skip
    draft = create(name="entwurf", title=f"{SECRET} Entwurf", state="draft")
    deleted = create(name="abgerissen", title=f"{SECRET} Abriss")
    act("package_delete", id=deleted["id"])
    purged = create(name="endgueltig-weg", title=f"{SECRET} Purge")
    purged_activities = [a["id"] for a in act("package_activity_list", sysadmin["name"], id=purged["id"])]
    act("dataset_purge", sysadmin["name"], id=purged["id"])
    later_private = create(name="spaeter-intern", title=f"{SECRET} Später")
    act("package_patch", id=later_private["id"], private=True)
    formerly_private = create(name="frueher-intern", title=f"{SECRET} Vorab", private=True)
    act("package_patch", id=formerly_private["id"], private=False, title="Haltestellen")
    # Logged-in outsiders follow the editor: his activities reach their dashboards.
    for follower in (ordinary, stranger):
        act("follow_user", follower["name"], id=owner["id"])
    hidden = [private, draft, deleted, purged, later_private]
    hidden_activities = purged_activities + [
        a["id"] for dataset in hidden[:3] + hidden[4:]
        for a in act("package_activity_list", sysadmin["name"], id=dataset["id"], include_hidden_activity=True)
    ]  # fmt: skip
    tokens = {
        "anonymous": None,
        "user": factories.APIToken(user=ordinary["name"])["token"],
        "stranger": factories.APIToken(user=stranger["name"])["token"],
        "owner": factories.APIToken(user=owner["name"])["token"],
    }
    return {
        "public": public, "private": private, "draft": draft, "table": table, "tokens": tokens,
        "formerly_private": formerly_private, "hidden_activities": hidden_activities,
        "purged": {"id": purged["id"], "activities": purged_activities},
        # what must not show: the word in every hidden title, the hidden datasets' and resources' ids, names
        "hidden_words": [SECRET, SECRET_FORMAT.lower(), "geheimwort", table["id"]]
        + [d[key] for d in hidden for key in ("id", "name")]
        + [r["id"] for d in hidden for r in d["resources"]],
    }  # fmt: skip


def get(app, catalogue: dict, who: str, url: str, **params):
    token = catalogue["tokens"][who]
    return app.get(url, query_string=params, headers={"Authorization": token} if token else {})


def leaked(catalogue: dict, answer, *asked: str) -> list[str]:
    """The words of hidden datasets in an answer, but what was asked for (pages repeat their URL)."""
    text = answer.get_data(as_text=True).lower()
    for word in asked:
        text = text.replace(word.lower(), "")
    return [word for word in catalogue["hidden_words"] if word.lower() in text]


def test_search_and_facet_counts(app, catalogue):
    for who in OUTSIDERS:
        found = get(app, catalogue, who, "/api/3/action/package_search", q=SECRET, include_private="true",
                    include_drafts="true", **{"facet.field": '["tags"]'}).json["result"]  # fmt: skip
        assert found["count"] == 0, who
        everything = get(app, catalogue, who, "/api/3/action/package_search", include_private="true",
                         **{"facet.field": '["tags", "organization"]'}).json["result"]  # fmt: skip
        assert sorted(d["name"] for d in everything["results"]) == ["frueher-intern", "schulen"], who
        assert "geheimwort" not in everything["facets"]["tags"], who
        assert everything["facets"]["organization"] == {"tiefbauamt": 2}, who
        assert not leaked(catalogue, get(app, catalogue, who, "/dataset/", q="")), who


def test_the_owner_sees_what_outsiders_do_not(app, catalogue):
    found = get(app, catalogue, "owner", "/api/3/action/package_search", q=SECRET,
                include_private="true", include_drafts="true").json["result"]  # fmt: skip
    assert sorted(d["name"] for d in found["results"]) == ["baustellen-intern", "entwurf", "spaeter-intern"]
    table = get(app, catalogue, "owner", "/api/3/action/datastore_search", resource_id=catalogue["table"]["id"])
    assert table.json["result"]["records"][0]["strasse"] == f"{SECRET}straße 1"
    for name in ("baustellen-intern", "entwurf", "abgerissen", "spaeter-intern"):
        assert get(app, catalogue, "owner", "/api/3/action/package_show", id=name).status_code == 200, name
        assert get(app, catalogue, "owner", "/api/3/action/package_activity_list", id=name).status_code == 200
    assert get(app, catalogue, "owner", "/dataset/baustellen-intern.ttl").status_code == 200
    assert get(app, catalogue, "owner", "/dataset/baustellen-intern").status_code == 200
    resource = get(app, catalogue, "owner", "/api/3/action/resource_show", id=catalogue["table"]["id"])
    assert resource.status_code == 200


def test_existence_answers_are_those_of_a_dataset_that_does_not_exist(app, catalogue):
    """403 would say "it exists" (and the API's message named the dataset's id): 404, as for no dataset."""
    private_resource = catalogue["private"]["resources"][0]["id"]
    for who in OUTSIDERS:
        for name in [*HIDDEN, catalogue["private"]["id"]]:
            for url, params in [
                ("/api/3/action/package_show", {"id": name}),
                ("/api/3/action/package_activity_list", {"id": name}),
                (f"/dataset/{name}", {}),
                (f"/dataset/{name}.rdf", {}),
                (f"/dataset/{name}.ttl", {}),
                (f"/dataset/{name}.jsonld", {}),
                (f"/dataset/activity/{name}", {}),
            ]:
                hidden = get(app, catalogue, who, url, **params)
                missing = get(app, catalogue, who, url.replace(name, "gibt-es-nicht"),
                              **{k: "gibt-es-nicht" for k in params})  # fmt: skip
                assert (hidden.status_code, who, url) == (404, who, url)
                if url.startswith("/api/"):
                    assert hidden.json["error"] == missing.json["error"], (who, url)
                assert not leaked(catalogue, hidden, name), (who, url)
        for url, params in [
            ("/api/3/action/resource_show", {"id": private_resource}),
            ("/api/3/action/resource_view_list", {"id": private_resource}),
            ("/api/3/action/datastore_search", {"resource_id": catalogue["table"]["id"]}),
            (f"/dataset/{catalogue['private']['id']}/resource/{private_resource}", {}),
        ]:
            hidden = get(app, catalogue, who, url, **params)
            assert (hidden.status_code, who, url) == (404, who, url)
            assert not leaked(catalogue, hidden, *url.split("/"), *params.values()), (who, url)


@pytest.mark.parametrize(
    ("url", "rdf_format"),
    [("/catalog.ttl", "turtle"), ("/catalog.jsonld", "json-ld"), ("/catalog.xml", "xml"), ("/catalog", "turtle")],
)
def test_the_dcat_catalogue(app, catalogue, url, rdf_format):
    for who in OUTSIDERS:
        answer = get(app, catalogue, who, url)
        assert answer.status_code == 200
        assert "Schulen in Chemnitz" in rdf.dataset_titles(rdf.graph(answer.get_data(), rdf_format)), who
        assert not leaked(catalogue, answer), who


def test_the_datastore(app, catalogue):
    resource_id = catalogue["table"]["id"]
    for who in OUTSIDERS:
        sql = get(app, catalogue, who, "/api/3/action/datastore_search_sql", sql=f'SELECT * FROM "{resource_id}"')
        assert sql.status_code == 403 and SECRET not in sql.get_data(as_text=True), who
        dump = get(app, catalogue, who, f"/datastore/dump/{resource_id}")
        assert dump.status_code in (403, 404) and SECRET not in dump.get_data(as_text=True), who


def activity_streams(app, catalogue: dict, who: str) -> dict[str, object]:
    """Every activity stream a visitor can ask for, as API answers and pages."""
    streams = {
        "organization_activity_list": get(app, catalogue, who, "/api/3/action/organization_activity_list",
                                          id="tiefbauamt", limit=100),
        "recently_changed_packages_activity_list": get(
            app, catalogue, who, "/api/3/action/recently_changed_packages_activity_list", limit=100),
        "user_activity_list": get(app, catalogue, who, "/api/3/action/user_activity_list",
                                  id="tiefbau-editor", limit=100),
        "package_activity_list": get(app, catalogue, who, "/api/3/action/package_activity_list",
                                     id="frueher-intern", limit=100),
        "/organization/activity": get(app, catalogue, who, "/organization/activity/tiefbauamt"),
        "/user/activity": get(app, catalogue, who, "/user/activity/tiefbau-editor"),
        "/dataset/activity": get(app, catalogue, who, "/dataset/activity/frueher-intern"),
    }  # fmt: skip
    if who != "anonymous":
        streams["dashboard_activity_list"] = get(app, catalogue, who, "/api/3/action/dashboard_activity_list",
                                                 limit=100)  # fmt: skip
        streams["/dashboard"] = get(app, catalogue, who, "/dashboard/")
    return streams


def test_activity_streams(app, catalogue):
    for who in OUTSIDERS:
        for stream, answer in activity_streams(app, catalogue, who).items():
            assert answer.status_code == 200, (who, stream)
            assert not leaked(catalogue, answer), (who, stream)
        # The public datasets' activities are there: the streams themselves work.
        api = get(app, catalogue, who, "/api/3/action/organization_activity_list", id="tiefbauamt")
        assert {"schulen", "frueher-intern"} <= {a["data"]["package"]["name"] for a in api.json["result"]
                                                  if "package" in a["data"]}  # fmt: skip


def test_the_owner_sees_the_activity_of_his_hidden_datasets(app, catalogue):
    streams = activity_streams(app, catalogue, "owner")
    for stream in ("organization_activity_list", "user_activity_list", "dashboard_activity_list", "/user/activity"):
        assert SECRET in streams[stream].get_data(as_text=True), stream
    mine = streams["user_activity_list"].get_data(as_text=True)
    assert catalogue["private"]["id"] in mine and catalogue["draft"]["id"] in mine
    # the map preview created automatically for the private dataset is in the editor's stream
    types = {(a["activity_type"], a["object_id"]) for a in streams["user_activity_list"].json["result"]}
    assert ("new resource view", catalogue["private"]["id"]) in types


def test_single_activities_and_their_changes(app, catalogue):
    """Activities of hidden datasets by id, and the diff of the first public version of a dataset
    that was private before (CKAN compares it with the private version)."""
    published = get(app, catalogue, "owner", "/api/3/action/package_activity_list", id="frueher-intern").json
    first_public = published["result"][0]["id"]
    private_version = published["result"][1]["id"]
    for who in OUTSIDERS:
        for activity_id in catalogue["hidden_activities"]:
            for url, params in [
                ("/api/3/action/activity_show", {"id": activity_id}),
                ("/api/3/action/activity_data_show", {"id": activity_id}),
                ("/api/3/action/activity_diff", {"id": activity_id, "object_type": "package"}),
                (f"/dataset/changes/{activity_id}", {}),
            ]:
                answer = get(app, catalogue, who, url, **params)
                assert answer.status_code in (403, 404), (who, url)
                assert not leaked(catalogue, answer), (who, url)
        for url, params in [
            ("/api/3/action/activity_diff", {"id": first_public, "object_type": "package"}),
            (f"/dataset/changes/{first_public}", {}),
            ("/dataset/changes_multiple", {"new_id": first_public, "old_id": private_version}),
        ]:
            answer = get(app, catalogue, who, url, **params)
            assert answer.status_code in (403, 404), (who, url)
            assert not leaked(catalogue, answer), (who, url)
    diff = get(app, catalogue, "owner", "/api/3/action/activity_diff", id=first_public, object_type="package")
    assert SECRET in diff.json["result"]["diff"]


def test_a_purged_dataset_leaves_no_activity(catalogue):
    """Not even a sysadmin finds the purged dataset's activities (with its full content) any more."""
    assert catalogue["purged"]["activities"], "the purged dataset had activities"
    assert model.Session.query(Activity).filter_by(object_id=catalogue["purged"]["id"]).count() == 0


def test_member_list(app, catalogue):
    for who in OUTSIDERS:
        answer = get(app, catalogue, who, "/api/3/action/member_list", id="tiefbauamt", object_type="package")
        assert answer.status_code == 200
        assert catalogue["public"]["id"] in {member[0] for member in answer.json["result"]}, who
        assert not leaked(catalogue, answer), who
    mine = get(app, catalogue, "owner", "/api/3/action/member_list", id="tiefbauamt", object_type="package")
    assert catalogue["private"]["id"] in {member[0] for member in mine.json["result"]}


TAGS_AND_FORMATS = [
    ("/api/3/action/tag_list", {}),
    ("/api/3/action/tag_list", {"query": "geheim"}),
    ("/api/3/action/tag_list", {"all_fields": "true"}),
    ("/api/3/action/tag_autocomplete", {"q": "geheim"}),
    ("/api/3/action/tag_search", {"query": "geheim"}),
    ("/api/3/action/tag_show", {"id": "Bildung", "include_datasets": "true"}),
    ("/api/2/util/tag/autocomplete", {"incomplete": "geheim"}),
    ("/api/3/action/format_autocomplete", {"q": "geheim"}),
    ("/api/2/util/resource/format_autocomplete", {"incomplete": "geheim"}),
    ("/api/3/action/package_autocomplete", {"q": "Geheim"}),
    ("/api/3/action/package_autocomplete", {"q": "baustellen"}),
    ("/api/2/util/dataset/autocomplete", {"incomplete": "entwurf"}),
    ("/api/3/action/resource_search", {"query": f"format:{SECRET_FORMAT}"}),
]


def test_tags_and_formats(app, catalogue):
    for who in OUTSIDERS:
        for url, params in TAGS_AND_FORMATS:
            answer = get(app, catalogue, who, url, **params)
            assert answer.status_code == 200, (who, url, params)
            assert not leaked(catalogue, answer), (who, url, params)
        assert get(app, catalogue, who, "/api/3/action/tag_show", id="geheimwort").status_code == 404, who
        assert "Bildung" in get(app, catalogue, who, "/api/3/action/tag_list").json["result"], who
    assert "geheimwort" in get(app, catalogue, "owner", "/api/3/action/tag_list").json["result"]
    assert get(app, catalogue, "owner", "/api/3/action/tag_autocomplete", q="geheim").json["result"] == ["geheimwort"]
    assert get(app, catalogue, "owner", "/api/3/action/tag_show", id="geheimwort").status_code == 200
    formats = get(app, catalogue, "owner", "/api/3/action/format_autocomplete", q="geheim").json["result"]
    assert formats == [SECRET_FORMAT.lower()]
