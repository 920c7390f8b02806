"""An editor's upload never runs on the portal's origin: active types (HTML, XHTML, SVG, JavaScript,
XML, anything unknown) are downloaded as ``application/octet-stream`` attachments, whatever name,
declared type and content the editor chose; images and data files keep their types, and every
download carries ``nosniff`` and a sandboxing policy. The browser half is tests/browser/test_uploads.py."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from ckan.lib import uploader

from tests.ckan_support import PORTAL_PLUGINS

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
PAGE = b"<!DOCTYPE html><html><body><script src='x.js'></script></body></html>"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
# Types a browser renders as a page, runs as script or applies as style.
EXECUTABLE = {"text/html", "application/xhtml+xml", "image/svg+xml", "text/javascript", "application/javascript",
              "text/xml", "application/xml", "text/css", "text/xsl"}  # fmt: skip


def case_id(value: object) -> str:
    """Test ids from names and declared types, not file contents."""
    if isinstance(value, dict):
        return ",".join(f"{key}={item}" for key, item in value.items()) or "as-uploaded"
    return value if isinstance(value, str) else "" if isinstance(value, bytes) else str(value)


def upload(app, editor: dict, name: str, content: bytes, **fields: str) -> dict:
    answer = app.post(
        "/api/3/action/resource_create", headers=editor["headers"],
        data={"package_id": editor["dataset"]["id"], "name": name, **fields, "upload": (io.BytesIO(content), name)},
    )  # fmt: skip
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.json["result"]


def download(app, resource: dict, as_name: str | None = None):
    url = resource["url"] if as_name is None else resource["url"].rsplit("/", 1)[0] + "/" + as_name
    answer = app.get(urlsplit(url).path)
    assert answer.status_code == 200
    return answer


def assert_protected(answer) -> None:
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    policy = answer.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy


@pytest.mark.parametrize(
    ("name", "content", "fields"),
    [
        ("seite.html", PAGE, {}),
        ("skript.js", b"document.title = 'pwned';", {}),
        ("seite.xhtml", b"<html xmlns='http://www.w3.org/1999/xhtml'><script>alert(1)</script></html>", {}),
        ("bild.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", {}),
        ("daten.xml", b"<?xml version='1.0'?><x:script xmlns:x='http://www.w3.org/1999/xhtml'>alert(1)</x:script>",
         {}),
        ("stil.css", b"body { background: red }", {}),
        # The editor declares a harmless type or name for an active file.
        ("bild.png", PAGE, {"mimetype": "image/png"}),
        ("tabelle.csv", PAGE, {"mimetype": "text/html"}),
        ("seite.html", PAGE, {"mimetype": "text/plain"}),
        ("daten.json", b"alert(document.domain)", {"mimetype": "application/javascript"}),
        ("ohne-endung", PAGE, {"mimetype": "text/plain"}),
    ],
    ids=case_id,
)  # fmt: skip
def test_an_active_upload_is_an_attachment_no_browser_runs(app, editor, name, content, fields):
    answer = download(app, upload(app, editor, name, content, **fields))
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert answer.mimetype not in EXECUTABLE
    assert_protected(answer)
    assert answer.get_data() == content  # the file itself is delivered unchanged


def test_a_link_with_another_file_name_does_not_make_a_text_file_a_page(app, editor):
    """CKAN serves a resource under any name in the link; with no type stored it guessed it from that name."""
    resource = upload(app, editor, "notiz.txt", PAGE, mimetype="")
    for as_name in ("seite.html", "bild.svg", "skript.js"):
        answer = download(app, resource, as_name)
        assert answer.headers["Content-Disposition"].startswith("attachment"), as_name
        assert answer.mimetype not in EXECUTABLE, as_name
        assert_protected(answer)
    for as_name in ("notiz.html", "notiz.svg", "notiz.js"):  # its own name with another extension: no such file
        assert app.get(urlsplit(resource["url"].rsplit("/", 1)[0] + "/" + as_name).path).status_code == 404, as_name


@pytest.mark.parametrize(
    ("name", "content", "mimetype", "shown"),
    [
        ("punkte.geojson", b'{"type": "FeatureCollection", "features": []}', "application/geo+json", True),
        ("daten.json", b'{"a": 1}', "application/json", True),
        ("tabelle.csv", "Straße;Nummer\nMarkt;1\n".encode(), "text/csv", True),
        ("liesmich.txt", b"Hinweise zu den Daten", "text/plain", True),
        ("bild.png", PNG, "image/png", True),
        ("bericht.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf", False),
        ("tabelle.xlsx", b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    ],
    ids=case_id,
)  # fmt: skip
def test_images_and_data_files_keep_their_type(app, editor, name, content, mimetype, shown):
    answer = download(app, upload(app, editor, name, content))
    assert answer.mimetype == mimetype
    assert answer.headers["Content-Disposition"].startswith("inline" if shown else "attachment")
    assert f'filename="{name}"' in answer.headers["Content-Disposition"]
    assert_protected(answer)
    assert answer.get_data() == content


def test_a_non_ascii_file_name_survives(app, editor):
    """CKAN stores uploads under an ASCII name, but a link may name the download as it likes."""
    answer = download(app, upload(app, editor, "strassen.csv", b"a;b\n1;2\n"), "Straßen.csv")
    assert "filename*=UTF-8''Stra%C3%9Fen.csv" in answer.headers["Content-Disposition"]


def test_pages_keep_the_portals_policy(app):
    policy = app.get("/dataset/").headers["Content-Security-Policy"]
    assert "sandbox" not in policy and "script-src 'self'" in policy


def test_an_upload_whose_file_is_missing_is_a_404_with_a_german_notice(app, editor):
    """A database restored without its files: a visitor gets a notice, not a server error."""
    resource = upload(app, editor, "tabelle.csv", b"a;b\n1;2\n")
    Path(uploader.get_resource_uploader(resource).get_path(resource["id"])).unlink()
    answer = app.get("/de" + urlsplit(resource["url"]).path)
    assert answer.status_code == 404
    assert "Die Datei dieser Ressource ist auf dem Server nicht vorhanden." in answer.get_data(as_text=True)
