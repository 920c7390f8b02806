"""Nobody but a sysadmin speaks for the city: an ordinary logged-in user can neither create an
organization ("Stadt Chemnitz – Bürgeramt (Fake)") or a group, through the API or the forms, nor
delete one; an organization's own admin cannot delete it either. The settings are the portal's
own: read from config/ckan-portal.conf as the CKAN image reads it (docker/ckan/settings.py) —
var/test.ini has CKAN's values for CKAN's own tests, which allow all of it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import ckan.model as model
import ckan.tests.factories as factories
import pytest

from tests.ckan_support import PORTAL_PLUGINS, csrf_token

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("ckan_image_settings", ROOT / "docker" / "ckan" / "settings.py")
image_settings = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(image_settings)

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
FAKE = {"name": "buergeramt-fake", "title": "Stadt Chemnitz – Bürgeramt (Fake)"}


@pytest.fixture
def portal_auth(ckan_config) -> dict[str, str]:
    """The portal's ``ckan.auth.*`` settings (config/ckan-portal.conf) in force for the test."""
    settings = image_settings.portal_settings(ROOT, ROOT / "var")
    auth = {key: value for key, value in settings.items() if key.startswith("ckan.auth.")}
    for key, value in auth.items():
        ckan_config[key] = value
    return auth


def test_the_portal_configuration_lets_only_sysadmins_create_and_delete_organizations_and_groups(portal_auth):
    for what in ("create_organizations", "create_groups", "delete_organizations", "delete_groups"):
        assert portal_auth.get(f"ckan.auth.user_{what}") == "false", what


def api(app, token: str | None, action: str, **data):
    return app.post(f"/api/3/action/{action}", json=data, headers={"Authorization": token} if token else {})


@pytest.mark.usefixtures("portal_auth")
def test_an_ordinary_user_cannot_create_an_organization_or_group(app):
    token = factories.APIToken(user=factories.User(name="mallory")["name"])["token"]
    for action in ("organization_create", "group_create"):
        answer = api(app, token, action, **FAKE)
        assert answer.status_code == 403, (action, answer.json)
    assert model.Group.get(FAKE["name"]) is None


@pytest.mark.usefixtures("portal_auth")
def test_an_ordinary_user_gets_no_form_and_cannot_post_one(app):
    user = factories.User(name="mallory", password="correct-horse-9")
    headers = {"Authorization": factories.APIToken(user=user["name"])["token"]}
    for path in ("/organization/new", "/group/new"):
        assert app.get(path, headers=headers).status_code == 403, path
        token = csrf_token(app, "/dataset/")
        posted = app.post(path, data={**FAKE, "_csrf_token": token, "save": ""}, headers=headers)
        assert posted.status_code == 403, path
    assert model.Group.get(FAKE["name"]) is None


@pytest.mark.usefixtures("portal_auth")
def test_an_organization_admin_cannot_delete_it(app):
    admin = factories.User(name="amtsleiterin")
    org = factories.Organization(name="tiefbauamt", users=[{"name": admin["name"], "capacity": "admin"}])
    token = factories.APIToken(user=admin["name"])["token"]
    assert api(app, token, "organization_delete", id=org["id"]).status_code == 403
    assert model.Group.get(org["id"]).state == "active"


@pytest.mark.usefixtures("portal_auth")
def test_a_sysadmin_creates_and_deletes_them(app):
    token = factories.APIToken(user=factories.Sysadmin()["name"])["token"]
    created = api(app, token, "organization_create", name="buergeramt", title="Bürgeramt")
    assert created.status_code == 200, created.json
    assert api(app, token, "group_create", name="verkehr", title="Verkehr").status_code == 200
    assert app.get("/organization/new", headers={"Authorization": token}).status_code == 200
    assert api(app, token, "organization_delete", id="buergeramt").status_code == 200
    assert model.Group.get("buergeramt").state == "deleted"
