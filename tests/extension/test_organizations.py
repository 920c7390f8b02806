"""The city's departments become CKAN organizations, idempotently."""

from __future__ import annotations

from pathlib import Path

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from ckan.cli.cli import ckan

from ckanext.chemnitz import organizations

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "chemnitz_search chemnitz activity"),
    pytest.mark.usefixtures("with_plugins", "clean_db_with_plugin_tables", "clean_index"),
]


def test_the_declared_departments_are_the_citys():
    declared = organizations.load(organizations.DEFAULT_DECLARATIONS)
    titles = {entry["name"]: entry["title"] for entry in declared}
    assert titles["amt-fuer-jugend-und-familie"] == "Amt für Jugend und Familie"
    assert titles["vermessungsamt"] == "Städtisches Vermessungsamt"
    assert all(entry["description"] and entry["provenance"] for entry in declared)


def test_sync_creates_updates_and_then_changes_nothing(tmp_path: Path):
    declared = organizations.load(organizations.DEFAULT_DECLARATIONS)
    first = organizations.sync(declared)
    assert sorted(first.created) == sorted(entry["name"] for entry in declared)

    changed = [dict(entry) for entry in declared]
    changed[0]["description"] = "Neue Beschreibung des Amtes."
    second = organizations.sync(changed)
    assert second.updated == [changed[0]["name"]] and not second.created
    shown = helpers.call_action("organization_show", id=changed[0]["name"])
    assert shown["description"] == "Neue Beschreibung des Amtes."

    activities_before = len(helpers.call_action("organization_activity_list", id=changed[0]["name"]))
    third = organizations.sync(changed)
    assert not third.created and not third.updated
    assert len(helpers.call_action("organization_activity_list", id=changed[0]["name"])) == activities_before


@pytest.mark.usefixtures("with_extended_cli")
def test_cli_sync_with_editor_membership(cli):
    factories.User(name="pipelines")
    result = cli.invoke(ckan, ["chemnitz", "organizations", "sync", "--member", "pipelines:editor"])
    assert result.exit_code == 0, result.output
    assert "4 created" in result.output
    again = cli.invoke(ckan, ["chemnitz", "organizations", "sync", "--member", "pipelines:editor"])
    assert "0 created, 0 updated, 4 unchanged" in again.output
    editors = helpers.call_action("member_list", id="tiefbauamt", object_type="user", capacity="editor")
    assert len(editors) == 1


def test_incomplete_declaration_is_refused(tmp_path: Path):
    broken = tmp_path / "organizations.yaml"
    broken.write_text("organizations:\n  - name: gruenflaechenamt\n    title: Grünflächenamt\n", encoding="utf-8")
    with pytest.raises(ValueError, match="organization #1 lacks description"):
        organizations.load(broken)
