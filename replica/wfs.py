"""The WFS replica: MapServer 8 (Debian ``cgi-mapserver``) behind a minimal CGI host.

MapServer 8 only opens map files that its configuration file allows (``MS_MAP_PATTERN``), so both
the map file and ``mapserver.conf`` are written into the replica's work folder; every request runs
``mapserv`` as a CGI program, as a web server would.
"""

from __future__ import annotations

import http.server
import os
import re
import subprocess
from pathlib import Path

from replica.data import ALKIS_LAYERS, ALKIS_PATH, FIXTURES, WFS_LAYERS

HERE = Path(__file__).parent / "wfs"
MAPSERV = "/usr/bin/mapserv"


def write_map(work: Path, public_url: str) -> tuple[Path, Path]:
    """The city's map file (``data.WFS_LAYERS``) and MapServer's config; beside it, on the same
    server, GeoSN's simplified ALKIS WFS (``data.ALKIS_LAYERS``, namespace ``ave``) at its real path."""
    work.mkdir(parents=True, exist_ok=True)
    origin = public_url.rsplit("/wfs", 1)[0]
    map_file = _write(work / "chemnitz.map", "chemnitz.map.in", public_url, WFS_LAYERS, "OBJECTID",
                      "EPSG:25833 EPSG:4326 EPSG:3857")  # fmt: skip
    alkis = _write(work / "alkis.map", "alkis.map.in", origin + ALKIS_PATH, ALKIS_LAYERS, "id",
                   "EPSG:25833 EPSG:25832 EPSG:4258")  # fmt: skip
    config = work / "mapserver.conf"
    pattern = "^(" + "|".join(re.escape(str(path)) for path in (map_file, alkis)) + ")$"
    config.write_text(f'CONFIG\n  ENV\n    MS_MAP_PATTERN "{pattern}"\n  END\nEND\n', encoding="utf-8")
    return map_file, config


def _write(map_file: Path, template: str, url: str, layers: dict, featureid: str, srs: str) -> Path:
    layer = (HERE / "layer.map.in").read_text(encoding="utf-8")
    text = "".join(
        layer.format(name=name, type=kind, path=FIXTURES / fixture, title=name, featureid=featureid, srs=srs)
        for name, (fixture, kind) in layers.items()
    )
    content = (HERE / template).read_text(encoding="utf-8").replace("{layers}", text).replace("{url}", url)
    map_file.write_text(content, encoding="utf-8")
    return map_file


def server(work: Path, port: int, public_url: str) -> http.server.ThreadingHTTPServer:
    map_file, config = write_map(work, public_url)

    class CGI(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            chosen = {"/wfs": map_file, ALKIS_PATH: map_file.with_name("alkis.map")}.get(path.rstrip("/"))
            if chosen is None:
                self.send_error(404)
                return
            send(self, *mapserv(config, f"map={chosen}&{query}", port, path.rstrip("/")))

    return http.server.ThreadingHTTPServer(("127.0.0.1", port), CGI)


def mapserv(config: Path, query: str, port: int, script: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one ``mapserv`` CGI run, as a web server would start it."""
    environment = {
        **os.environ,
        "MAPSERVER_CONFIG_FILE": str(config),
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": str(port),
        "SCRIPT_NAME": script,
    }
    output = subprocess.run([MAPSERV], env=environment, capture_output=True, timeout=60).stdout
    head, _, body = output.partition(b"\r\n\r\n") if b"\r\n\r\n" in output[:500] else output.partition(b"\n\n")
    headers = {
        key.strip(): value.strip()
        for key, value in (line.split(":", 1) for line in head.decode("latin-1").splitlines() if ":" in line)
    }
    return int(headers.pop("Status", "200").split()[0]), headers, body


def send(handler: http.server.BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
    """Answer a request with what ``mapserv`` returned."""
    handler.send_response(status)
    for key, value in headers.items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
