"""JSONP is off unless ``ckanext.chemnitz.api.jsonp`` turns it on: a ``callback`` parameter is refused
with 400 and a message saying why, so the API never answers script of the caller's choosing."""

from __future__ import annotations

import pytest

from tests.ckan_support import PORTAL_PLUGINS

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins"),
]
CALLBACK = "alert(document.domain)//"
PATHS = [("/api/3/action/status_show", {}), ("/api/action/package_search", {"q": "Schule"}),
         ("/api/2/util/dataset/autocomplete", {"incomplete": "sch"})]  # fmt: skip


@pytest.mark.parametrize(("path", "params"), PATHS)
def test_a_callback_is_refused(app, path, params):
    answer = app.get(path, query_string={**params, "callback": CALLBACK})
    assert answer.status_code == 400
    assert answer.mimetype == "application/json"
    assert answer.json["success"] is False
    assert "JSONP is switched off" in answer.json["error"]["message"]
    assert CALLBACK not in answer.get_data(as_text=True)


def test_without_a_callback_the_api_answers_json(app):
    answer = app.get("/api/3/action/status_show")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.json["success"] is True


@pytest.mark.ckan_config("ckanext.chemnitz.api.jsonp", "true")
def test_the_setting_brings_jsonp_back(app):
    answer = app.get("/api/3/action/status_show", query_string={"callback": "showStatus"})
    assert answer.status_code == 200 and answer.mimetype == "application/javascript"
    assert answer.get_data(as_text=True).startswith("showStatus({")
