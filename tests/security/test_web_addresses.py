"""Every address an editor can give a dataset or resource is an http(s) address (e-mail fields also
``mailto:``): a ``javascript:`` link would run script on the portal's origin when a visitor clicks it,
``file:`` and ``data:`` point into the visitor's own machine; the DCAT catalogue would spread them."""

from __future__ import annotations

import io

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from lxml import html

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS + " datastore"),
    pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true"),  # as in the portal
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
HOSTILE = ["javascript:alert(document.domain)", " JavaScript:alert(1)", "java\tscript:alert(1)",
           "file:///etc/passwd", "data:text/html,<script>alert(1)</script>", "//evil.example/x", "vbscript:msgbox(1)",
           "https://"]  # fmt: skip
NOT_HTTP = "Only http and https addresses are allowed"


@pytest.fixture
def editor() -> dict:
    user = factories.User()
    organization = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return {"user": user, "organization": organization, "context": {"user": user["name"], "ignore_auth": False}}


def create(editor: dict, **changes) -> dict:
    return helpers.call_action("package_create", context=dict(editor["context"]),
                               **school_dataset(editor["organization"]["id"], **changes))  # fmt: skip


def refusal(editor: dict, **changes) -> dict:
    with pytest.raises(helpers.logic.ValidationError) as raised:
        create(editor, **changes)
    return raised.value.error_dict


REFUSED = (NOT_HTTP, "is not a valid web address", "must not contain spaces or control characters")


DATASET_FIELDS = {
    "landing page": lambda a: {"url": a},
    "documentation": lambda a: {"documentation": [a]},
    "conforms_to": lambda a: {"conforms_to": [a]},
    "legislation": lambda a: {"applicable_legislation": [a]},
    "quality process": lambda a: {"quality_process_uri": a},
    "publisher url": lambda a: {"publisher": [{"name": "Stadt Chemnitz", "url": a}]},
    "publisher uri": lambda a: {"publisher": [{"name": "Stadt Chemnitz", "uri": a}]},
    "contact url": lambda a: {"contact": [{"name": "Bürgeramt", "url": a}]},
}


def test_dataset_addresses_must_be_http(editor):
    for field, changes in DATASET_FIELDS.items():
        for address in HOSTILE:
            errors = repr(refusal(editor, **changes(address)))
            assert any(reason in errors for reason in REFUSED), (field, address, errors)
    assert helpers.call_action("package_search")["count"] == 0


def test_resource_addresses_must_be_http(editor):
    dataset = create(editor, resources=[])
    for key in ["url", "access_url", "download_url", "documentation", "conforms_to"]:
        for address in HOSTILE:
            with pytest.raises(helpers.logic.ValidationError) as raised:
                fields = {"url": "https://www.chemnitz.de/a.csv", key: address}
                helpers.call_action("resource_create", context=dict(editor["context"]), package_id=dataset["id"],
                                    **fields)  # fmt: skip
            assert list(raised.value.error_dict) == [key], (address, raised.value.error_dict)
    assert helpers.call_action("package_show", id=dataset["id"])["resources"] == []


def test_series_resources_are_checked_too(editor):
    """Dataset series declare no resource fields; their resources still cannot carry a script link."""
    series = create(editor, type="dataset_series", name="reihe", resources=[], series_order_field="metadata_created")
    with pytest.raises(helpers.logic.ValidationError) as raised:
        helpers.call_action("resource_create", context=dict(editor["context"]), package_id=series["id"],
                            url="javascript:alert(1)")  # fmt: skip
    assert NOT_HTTP in raised.value.error_dict["url"][0]


def test_web_addresses_email_and_placeholders_still_work(app, editor):
    dataset = create(
        editor,
        url="https://www.chemnitz.de/schulen",
        documentation=["http://example.org/doku", "https://www.bürgerservice-chemnitz.de/hilfe?x=1#a"],
        publisher=[{"name": "Stadt Chemnitz", "email": "mailto:amt@stadt-chemnitz.de", "url": "https://www.chemnitz.de",
                    "uri": "http://www.chemnitz.de/#stadt"}],
        contact=[{"name": "Bürgeramt", "email": "buergeramt@stadt-chemnitz.de", "url": "http://127.0.0.1:8083/x"}],
        maintainer_email="MAILTO:pflege@stadt-chemnitz.de",
        resources=[{"name": "ohne Adresse", "url": ""}],
    )  # fmt: skip
    assert dataset["publisher"][0]["email"] == "amt@stadt-chemnitz.de"  # stored bare, the RDF profile adds mailto:
    assert dataset["maintainer_email"] == "pflege@stadt-chemnitz.de"
    with app.flask_app.test_request_context():  # the DataStore shows its table's URL with url_for
        table = helpers.call_action("datastore_create", context=dict(editor["context"]),
                                    resource={"package_id": dataset["id"], "name": "Tabelle"},
                                    fields=[{"id": "x", "type": "text"}])  # fmt: skip
        shown = helpers.call_action("resource_show", id=table["resource_id"])
    assert shown["url_type"] == "datastore" and shown["url"].endswith(f"/datastore/dump/{table['resource_id']}")


@pytest.mark.parametrize("address", ["javascript:alert(1)", "mailto:x@y.de?body=<script>", "amt@"])
def test_email_fields_take_addresses_only(editor, address):
    errors = refusal(editor, maintainer_email=address)
    assert "is not an e-mail address" in errors["maintainer_email"][0]
    errors = refusal(editor, publisher=[{"name": "Stadt Chemnitz", "email": address}])
    assert "is not an e-mail address" in repr(errors)


def test_uploaded_files_keep_their_name(app, editor):
    """An upload's URL is its file name; the portal shows it as its own download link."""
    dataset = create(editor, resources=[])
    token = factories.APIToken(user=editor["user"]["name"])["token"]
    answer = app.post(
        "/api/3/action/resource_create",
        data={"package_id": dataset["id"], "name": "Liste", "upload": (io.BytesIO(b"a,b\n1,2\n"),
              "liste.csv")},
        headers={"Authorization": token}, content_type="multipart/form-data", status=200,
    )  # fmt: skip
    resource = answer.json["result"]
    assert resource["url_type"] == "upload"
    download = f"http://test.ckan.net/dataset/{dataset['id']}/resource/{resource['id']}/download/liste.csv"
    assert resource["url"] == download


def test_the_api_names_the_field(app, editor):
    token = factories.APIToken(user=editor["user"]["name"])["token"]
    dataset = create(editor, resources=[])
    answer = app.post("/api/3/action/resource_create", json={"package_id": dataset["id"], "url": "javascript:alert(1)"},
                      headers={"Authorization": token}, status=409)  # fmt: skip
    assert answer.json["error"]["url"] == ["Only http and https addresses are allowed, not javascript:alert(1)"]


@pytest.mark.ckan_config("ckan.locale_default", "de")
def test_the_form_says_it_in_german(app, editor):
    dataset = create(editor, resources=[])
    headers = {"Authorization": factories.APIToken(user=editor["user"]["name"])["token"]}
    path = f"/dataset/{dataset['name']}/resource/new"
    form = {"id": "", "url": "javascript:alert(document.cookie)", "name": "Böse", "save": "go-metadata"}
    page = html.fromstring(app.post(path, data=form, headers=headers, status=200).body)
    errors = " ".join(page.xpath("//*[contains(@class, 'error')]//text()"))
    assert "Nur http- und https-Adressen sind erlaubt, nicht javascript:alert(document.cookie)" in errors, errors
    assert helpers.call_action("package_show", id=dataset["id"])["resources"] == []
