"""Server-side request forgery: an editor's resource URL must not make the portal reach into the
city's network. Real listeners on loopback addresses that are not on
``ckanext.chemnitz.outbound.allowed_hosts`` count the requests that reach them (none may), and the
answers for a forbidden host, a closed port, a silent port and an internal answer are one and the
same, so that a preview cannot be used to scan ports or read internal services."""

from __future__ import annotations

import http.server
import ipaddress
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from ckanext.chemnitz.dcat import catalog
from ckanext.chemnitz.security import outbound
from replica.run import free_port
from tests.ckan_support import PORTAL_PLUGINS
from tests.spatial.test_search_by_place import GYMNASIUM, KASSBERG_BOX, point, publish
from tests.support import pages

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS + " chemnitz_map_view"),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.ckan_config("ckanext.chemnitz.preview.wfs_timeout", "2"),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_index"),
]
GENERIC = "Die Vorschau ist nicht verfügbar: Der Datendienst hat keine verwertbare Antwort gegeben."
SECRET = "Airflow admin:geheim"
# An internal service's answer that the old preview passed through (as an OWS exception text).
EXCEPTION_REPORT = (
    '<?xml version="1.0"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Exception>'
    f"<ows:ExceptionText>{SECRET}</ows:ExceptionText></ows:Exception></ows:ExceptionReport>"
).encode()
INTERNAL_POINT = json.dumps(
    {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": SECRET},
                                                "geometry": {"type": "Point", "coordinates": GYMNASIUM}}]}
).encode()  # fmt: skip


@dataclass
class Listener:
    """A real HTTP server that answers ``routes`` (path → status, headers, body) and counts requests."""

    host: str
    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def listen() -> Iterator:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(host: str, routes: dict[str, tuple[int, dict[str, str], bytes]] | None = None) -> Listener:
        listener = Listener(host, routes or {})

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.hits.append(self.path)
                status, headers, body = listener.routes.get(self.path.split("?")[0], (404, {}, b""))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server_class = type("Server", (http.server.ThreadingHTTPServer,), {"address_family": socket.AF_INET6})
        server = (server_class if ":" in host else http.server.ThreadingHTTPServer)((host, 0), Handler)
        listener.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return listener

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def allow(ckan_config, *entries: str) -> None:
    ckan_config[outbound.ALLOWED_HOSTS] = " ".join(entries)


def preview(app, url: str) -> tuple[int, str]:
    """What a visitor's browser gets from the WFS preview of a resource with ``url``."""
    dataset = publish(factories.Organization(), f"wfs-{uuid.uuid4().hex[:12]}", None)
    resource = helpers.call_action("resource_create", package_id=dataset["id"], url=url, format="WFS")
    answer = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/wfs.geojson")
    return answer.status_code, answer.body


def test_the_preview_never_reaches_a_host_off_the_allowlist(app, ckan_config, listen):
    """127.0.0.2 (loopback, not listed) with an internal answer: not asked, the same answer as a closed port."""
    internal = listen("127.0.0.2", {"/wfs": (200, {"Content-Type": "text/xml"}, EXCEPTION_REPORT)})
    allow(ckan_config, "127.0.0.1:8082")
    refused = preview(app, internal.url("/wfs"))
    closed = preview(app, f"http://127.0.0.1:{free_port()}/wfs")
    assert internal.hits == []
    assert refused == closed
    assert refused[0] == 502 and json.loads(refused[1]) == {"error": GENERIC}


@pytest.mark.parametrize("name", ["localhost", "0.0.0.0", "2130706433", "127.1", "::ffff:127.0.0.1", "::1"])
def test_a_listed_name_that_resolves_to_an_internal_address_is_not_asked(app, ckan_config, listen, name):
    """A name on the list without a port is trusted only with public addresses, checked after DNS
    resolution: the decimal, short, unspecified and IPv4-mapped spellings of 127.0.0.1 included."""
    internal = listen("::1" if name == "::1" else "127.0.0.1", {"/wfs": (200, {}, EXCEPTION_REPORT)})
    allow(ckan_config, f"[{name}]" if ":" in name else name)
    host = f"[{name}]" if ":" in name else name
    status, body = preview(app, f"http://{host}:{internal.port}/wfs")
    assert (status, json.loads(body)) == (502, {"error": GENERIC})
    assert internal.hits == []


def test_closed_silent_forbidden_and_internal_answers_look_the_same(app, ckan_config, listen, silent_port, caplog):
    """An editor probing ports learns nothing: the four cases give the same status and body; the log
    says precisely what happened."""
    internal = listen("127.0.0.1", {"/wfs": (200, {"Content-Type": "text/plain"}, SECRET.encode())})
    closed = free_port()
    allow(ckan_config, f"127.0.0.1:{internal.port}", f"127.0.0.1:{closed}", f"127.0.0.1:{silent_port}")
    started = time.monotonic()
    answers = {
        "forbidden": preview(app, "http://127.0.0.1:5432/"),  # PostgreSQL: not listed
        "closed": preview(app, f"http://127.0.0.1:{closed}/wfs"),
        "silent": preview(app, f"http://127.0.0.1:{silent_port}/wfs"),
        "internal answer": preview(app, internal.url("/wfs")),
    }
    assert time.monotonic() - started < 10  # the silent port is given up after wfs_timeout (2 s)
    assert len(set(answers.values())) == 1, answers
    assert answers["closed"][0] == 502 and SECRET not in answers["internal answer"][1]
    logged = caplog.text
    assert "127.0.0.1:5432 is not on ckanext.chemnitz.outbound.allowed_hosts" in logged
    assert f"127.0.0.1:{closed} (127.0.0.1) did not answer" in logged
    assert "timed out" in logged or "no complete answer within 2 s" in logged
    assert "not XML" in logged


def test_a_redirect_to_a_forbidden_address_is_not_followed(app, ckan_config, listen):
    internal = listen("127.0.0.2", {"/secret": (200, {"Content-Type": "text/xml"}, EXCEPTION_REPORT)})
    front = listen("127.0.0.1", {"/wfs": (302, {"Location": internal.url("/secret")}, b"")})
    allow(ckan_config, f"127.0.0.1:{front.port}")
    status, body = preview(app, front.url("/wfs"))
    assert len(front.hits) == 1 and internal.hits == []
    assert (status, json.loads(body)) == (502, {"error": GENERIC})


def test_karte_does_not_show_an_internal_geojson(app, ckan_config, listen):
    """/karte reads the GeoJSON of the datasets in the area on the server: an internal file is not
    read (and so not shown); listed, the same file is shown, as any city source."""
    internal = listen("127.0.0.2", {"/punkte.geojson": (200, {"Content-Type": "application/geo+json"}, INTERNAL_POINT)})
    dataset = publish(factories.Organization(), "hinterhof", point(GYMNASIUM))
    helpers.call_action("resource_create", package_id=dataset["id"], url=internal.url("/punkte.geojson"),
                        format="GeoJSON", name="Punkte")  # fmt: skip

    def karte() -> str:
        return pages.page(app, "/karte", ext_bbox=KASSBERG_BOX).text_content()

    allow(ckan_config, "127.0.0.1:8081")
    assert SECRET not in karte() and internal.hits == []
    allow(ckan_config, f"127.0.0.2:{internal.port}")
    assert SECRET in karte() and len(internal.hits) == 1


def test_the_catalogue_check_stays_on_the_catalogue_it_was_given(ckan_config, listen):
    """``ckan chemnitz validate --url``: the operator's catalogue is trusted even on loopback, a
    ``hydra:next`` page elsewhere is not fetched."""
    internal = listen("127.0.0.2", {"/page2.ttl": (200, {"Content-Type": "text/turtle"}, b"")})
    first = (
        "@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n"
        f"<http://portal/catalog.ttl> hydra:next <{internal.url('/page2.ttl')}> ."
    ).encode()
    portal = listen("127.0.0.1", {"/catalog.ttl": (200, {"Content-Type": "text/turtle"}, first)})
    allow(ckan_config)
    pages = catalog.pages(portal.url("/catalog.ttl"))
    assert len(next(pages)) == 1
    with pytest.raises(outbound.Refused, match=r"is not on ckanext\.chemnitz\.outbound\.allowed_hosts"):
        next(pages)
    assert len(portal.hits) == 1 and internal.hits == []


def test_the_answer_is_limited_in_size_and_time(ckan_config, listen, silent_port):
    big = listen("127.0.0.1", {"/big": (200, {}, b"x" * 200_000)})
    allow(ckan_config, f"127.0.0.1:{big.port}", f"127.0.0.1:{silent_port}")
    assert outbound.fetch(big.url("/big"), timeout=5, max_bytes=200_000).body == b"x" * 200_000
    with pytest.raises(outbound.Refused, match="more than 100000"):
        outbound.fetch(big.url("/big"), timeout=5, max_bytes=100_000)
    started = time.monotonic()
    with pytest.raises(outbound.Refused):
        outbound.fetch(f"http://127.0.0.1:{silent_port}/", timeout=0.5, max_bytes=1000)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "ff02::1", "::ffff:10.0.0.1",
     "2002:a00:1::", "64:ff9b::a00:1"],
)  # fmt: skip
def test_internal_addresses_of_both_families_are_forbidden(address):
    assert outbound.is_forbidden(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700::1111"])
def test_public_addresses_are_not(address):
    assert not outbound.is_forbidden(ipaddress.ip_address(address))
