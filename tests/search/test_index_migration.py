"""The search index's tables come from the extension's migrations (``ckan db upgrade``), and the upgrade
takes over the index the backend made on first use before: its datasets stay found, no rebuild needed;
an index of an older layout is made anew (empty, to be rebuilt), as the backend did."""

from __future__ import annotations

from pathlib import Path

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

import ckanext.chemnitz

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

MIGRATIONS = Path(ckanext.chemnitz.__file__).parent / "migration" / "chemnitz"
BEFORE = "aecdd293be55"  # the revision before versions/0b0b0ec0e4a3_search_index.py
# search/schema.sql, which the backend ran on first use, moved beside the revision unchanged
MADE_ON_FIRST_USE = MIGRATIONS / "versions" / "0b0b0ec0e4a3_search_index.sql"


def _migrations() -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", tk.config["sqlalchemy.url"])
    return config


def _index_made_on_first_use(layout: int) -> None:
    """The database as an upgrade finds it: the extension's tables at ``BEFORE``, and the search
    index as the backend made it (schema.sql, its layout number in ``schema_version``)."""
    model.Session.remove()
    command.stamp(_migrations(), BEFORE)
    with model.meta.engine.begin() as connection:
        unaccent = connection.execute(
            sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'")
        ).scalar_one()
        connection.execute(sa.text("DROP SCHEMA chemnitz_search CASCADE"))
        script = MADE_ON_FIRST_USE.read_text(encoding="utf-8")
        connection.exec_driver_sql(script.replace("{unaccent}", f'"{unaccent}".unaccent'))
        connection.execute(sa.text("INSERT INTO chemnitz_search.schema_version VALUES (:v)"), {"v": layout})


def _upgrade() -> None:
    model.Session.remove()  # the upgrade alters the index table: no transaction of the test may hold it
    command.upgrade(_migrations(), "head")


def _found(query: str) -> list[str]:
    result = helpers.call_action("package_search", q=query)
    return sorted(dataset["name"] for dataset in result["results"])


def _schema_version_table() -> bool:
    return model.Session.execute(sa.text("SELECT to_regclass('chemnitz_search.schema_version') IS NOT NULL")).scalar()


def test_the_upgrade_keeps_the_index_made_on_first_use() -> None:
    _index_made_on_first_use(layout=2)
    factories.Dataset(name="spielplaetze", title="Spielplätze am Kaßberg", tags=[{"name": "Freizeit"}])
    factories.Dataset(name="schulen", title="Schulen in Chemnitz", tags=[{"name": "Bildung"}])
    assert _found("Spielplatz") == ["spielplaetze"]

    _upgrade()

    assert _found("Spielplatz") == ["spielplaetze"]
    assert _found("tags:Bildung") == ["schulen"]
    assert _found("Kassberg") == ["spielplaetze"]  # the unaccented German configuration came along
    assert not _schema_version_table()  # alembic keeps the version now
    current = model.Session.execute(sa.text("SELECT version_num FROM chemnitz_alembic_version")).scalar_one()
    assert current == ScriptDirectory.from_config(_migrations()).get_current_head()

    model.Session.remove()
    command.stamp(_migrations(), BEFORE)  # as after `ckan db clean`, which forgets the version but not the index
    _upgrade()
    assert _found("Spielplatz") == ["spielplaetze"]


def test_an_index_of_an_older_layout_is_made_anew_for_a_rebuild() -> None:
    _index_made_on_first_use(layout=1)
    factories.Dataset(name="spielplaetze", title="Spielplätze am Kaßberg")

    _upgrade()

    assert _found("Spielplatz") == []
    assert not _schema_version_table()
    factories.Dataset(name="schulen", title="Schulen in Chemnitz")
    assert _found("Schule") == ["schulen"]
