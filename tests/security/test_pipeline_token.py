"""The pipelines' API token (user ``pipelines``, editor of its departments, not a sysadmin) can
write its departments' datasets and nothing else."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.dcat.examples import school_dataset
from tests.security.test_private_data import pytestmark as private_data_marks

pytestmark = private_data_marks


@pytest.fixture
def pipeline() -> dict:
    user = factories.User(name="pipelines")
    own = factories.Organization(name="schulverwaltungsamt", users=[{"name": "pipelines", "capacity": "editor"}])
    other = factories.Organization(name="tiefbauamt")
    theirs = helpers.call_action(
        "package_create", context={"user": factories.Sysadmin()["name"]},
        **school_dataset(other["id"], name="baustellen", title="Baustellen"),
    )  # fmt: skip
    return {
        "headers": {"Authorization": factories.APIToken(user=user["name"])["token"]},
        "own": own, "other": other, "theirs": theirs,
    }  # fmt: skip


def call(app, pipeline: dict, action: str, **data):
    return app.post(f"/api/3/action/{action}", json=data, headers=pipeline["headers"])


def test_it_writes_its_own_departments_datasets(app, pipeline):
    created = call(app, pipeline, "package_create", **school_dataset(pipeline["own"]["id"]))
    assert created.status_code == 200
    assert call(app, pipeline, "package_patch", id="schulen", title="Schulen 2026").status_code == 200
    assert call(app, pipeline, "datastore_create", resource={"package_id": "schulen"}, force=True,
                fields=[{"id": "a", "type": "int"}]).status_code == 200  # fmt: skip


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("package_create", lambda p: school_dataset(p["other"]["id"], name="fremd")),
        ("package_patch", lambda p: {"id": p["theirs"]["id"], "title": "übernommen"}),
        ("package_delete", lambda p: {"id": p["theirs"]["id"]}),
        ("resource_create", lambda p: {"package_id": p["theirs"]["id"], "url": "https://example.org/x.csv"}),
        ("datastore_create", lambda p: {"resource": {"package_id": p["theirs"]["id"]}, "force": True}),
        ("package_owner_org_update", lambda p: {"id": p["theirs"]["id"], "organization_id": p["own"]["id"]}),
        ("organization_member_create", lambda p: {"id": p["other"]["id"], "username": "pipelines", "role": "admin"}),
        ("organization_patch", lambda p: {"id": p["own"]["id"], "title": "Umbenannt"}),
        ("user_create", lambda p: {"name": "neu", "email": "neu@example.org", "password": "Passwort1234!"}),
        ("config_option_update", lambda p: {"ckan.site_title": "Übernommen"}),
    ],
)
def test_it_cannot_write_anything_else(app, pipeline, action, data):
    answer = call(app, pipeline, action, **data(pipeline))
    assert answer.status_code == 403, answer.get_data(as_text=True)[:300]
    assert helpers.call_action("package_show", id=pipeline["theirs"]["id"])["title"] == "Baustellen"
    assert helpers.call_action("package_show", id=pipeline["theirs"]["id"])["owner_org"] == pipeline["other"]["id"]
