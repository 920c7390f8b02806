"""``chemnitz_datastore_load``: a DataStore table replaced in one transaction, rows typed, errors precise."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "chemnitz_search chemnitz datastore"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_datastore", "clean_index"),
]

FIELDS = [
    {"id": "nummer", "type": "int"},
    {"id": "lage", "type": "text"},
    {"id": "kapazitaet", "type": "int"},
    {"id": "lon", "type": "float8"},
]
ROWS = [
    {"nummer": 1, "lage": "Parkplatz Südbahnhof", "kapazitaet": 12, "lon": 12.92},
    {"nummer": 2, "lage": "Wiesenstraße\tHof", "kapazitaet": None, "lon": 12.93},
    {"nummer": 3, "lage": "Am Stadion\nEinfahrt Nord", "kapazitaet": 40, "lon": 12.94},
]


@pytest.fixture
def editor() -> dict:
    return factories.User()


@pytest.fixture
def table(editor) -> str:
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    dataset = factories.Dataset(owner_org=org["id"])
    resource = factories.Resource(package_id=dataset["id"], url="http://example.org/parkplaetze.csv")
    helpers.call_action(
        "datastore_create", resource_id=resource["id"], fields=FIELDS, primary_key=["nummer"], force=True
    )
    return resource["id"]


def load(table: str, user: dict, records: list[dict]) -> dict:
    context = {"user": user["name"], "ignore_auth": False}
    return helpers.call_action("chemnitz_datastore_load", context=context, resource_id=table, records=records)


def rows(table: str) -> list[dict]:
    found = helpers.call_action("datastore_search", resource_id=table, sort="nummer", limit=100)["records"]
    return [{key: value for key, value in row.items() if key != "_id"} for row in found]


def test_a_new_table_gets_every_row_typed_with_tabs_and_newlines_intact(table, editor):
    assert load(table, editor, ROWS) == {"inserted": 3, "updated": 0, "deleted": 0, "unchanged": 0}
    assert rows(table) == ROWS
    found = helpers.call_action("datastore_search", resource_id=table, q="Südbahnhof")["records"]
    assert [row["nummer"] for row in found] == [1]  # CKAN's full-text index was filled


def test_a_second_load_changes_only_what_changed(table, editor):
    load(table, editor, ROWS)
    changed = [dict(ROWS[0], kapazitaet=15), ROWS[1], {"nummer": 4, "lage": "Neu", "kapazitaet": 5, "lon": 12.95}]
    assert load(table, editor, changed) == {"inserted": 1, "updated": 1, "deleted": 1, "unchanged": 1}
    assert rows(table) == changed
    assert load(table, editor, changed) == {"inserted": 0, "updated": 0, "deleted": 0, "unchanged": 3}


@pytest.mark.parametrize(
    ("records", "field", "message"),
    [
        ([{"nummer": 1, "farbe": "rot"}], "records", "columns not in the table: farbe"),
        ([{"nummer": "eins"}], "records", 'invalid input syntax for type integer: "eins"'),
        ([{"nummer": 1}, {"nummer": 1}, {"nummer": 7}, {"nummer": 7}], "records", "the key nummer is not unique: 1; 7"),
        ([{"nummer": 1}, {"lage": "ohne Nummer"}], "records", "1 of the records have no value for the key nummer"),
        ("nummer=1", "records", "a list of objects"),
    ],
)
def test_bad_records_are_refused_precisely_and_the_table_keeps_its_rows(table, editor, records, field, message):
    load(table, editor, ROWS)
    with pytest.raises(tk.ValidationError) as refused:
        load(table, editor, records)
    assert message in refused.value.error_dict[field][0]
    assert rows(table) == ROWS


def test_only_editors_of_the_dataset_may_load(table):
    with pytest.raises(tk.NotAuthorized):
        load(table, factories.User(), ROWS)


def test_a_resource_without_table_is_named(editor):
    resource = factories.Resource(url="http://example.org/leer.csv")
    with pytest.raises(tk.ValidationError) as refused:
        helpers.call_action("chemnitz_datastore_load", resource_id=resource["id"], records=ROWS)
    assert "no DataStore table; create it with datastore_create first" in refused.value.error_dict["resource_id"][0]


def found(table: str, words: str) -> list[int]:
    return [row["nummer"] for row in helpers.call_action("datastore_search", resource_id=table, q=words)["records"]]


def test_an_updated_row_is_found_by_its_new_words_and_no_longer_by_its_old_ones(table, editor):
    load(table, editor, ROWS)
    renamed = [dict(ROWS[0], lage="Parkhaus Johannisplatz"), *ROWS[1:]]
    assert load(table, editor, renamed)["updated"] == 1
    assert found(table, "Johannisplatz") == [1]
    assert found(table, "Südbahnhof") == []


@pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true")
def test_the_full_text_index_is_the_one_ckans_own_upsert_writes(table, editor):
    load(table, editor, ROWS)
    resource = factories.Resource(package_id=factories.Dataset()["id"], url="http://example.org/vergleich.csv")
    helpers.call_action(
        "datastore_create", resource_id=resource["id"], fields=FIELDS, primary_key=["nummer"], records=ROWS, force=True
    )

    def full_text(resource_id: str) -> list[tuple[int, str]]:
        sql = f'SELECT nummer, _full_text::text AS words FROM "{resource_id}" ORDER BY nummer'
        records = helpers.call_action("datastore_search_sql", sql=sql)["records"]
        return [(row["nummer"], row["words"]) for row in records]

    assert full_text(table) == full_text(resource["id"])
    assert "'südbahnhof'" in full_text(table)[0][1]


def test_a_key_written_by_someone_else_meanwhile_fails_the_load_cleanly(table, editor):
    import threading

    import sqlalchemy as sa
    from ckanext.datastore.backend.postgres import get_write_engine

    load(table, editor, ROWS)
    outcome: dict[str, Exception] = {}

    def load_new_key() -> None:
        try:
            load(table, editor, [*ROWS, {"nummer": 9, "lage": "Neu", "kapazitaet": 1, "lon": 12.9}])
        except tk.ValidationError as error:
            outcome["error"] = error

    with get_write_engine().connect() as other:
        transaction = other.begin()
        other.execute(sa.text(f"INSERT INTO \"{table}\" (nummer, lage) VALUES (9, 'Gleichzeitig')"))
        loading = threading.Thread(target=load_new_key)
        loading.start()
        loading.join(timeout=1)
        assert loading.is_alive()  # waits for the other transaction's key
        transaction.commit()
        loading.join(timeout=30)
    assert "written at the same time by someone else" in str(outcome["error"].error_dict["records"])
    assert [row["lage"] for row in rows(table)] == [r["lage"] for r in ROWS] + ["Gleichzeitig"]
