"""A reverse proxy in front of every replica that can make the source misbehave on demand.

Real department servers fail: they answer HTTP 500, hang, break off in the middle of a response,
return ArcGIS error bodies with HTTP 200, or suddenly return nothing. Tests arm a fault for the
next N requests with ``POST /__replica__/fault`` (JSON ``{"fault": …, "times": N}``; ``times`` -1
means until cleared with ``DELETE /__replica__/fault``); a single request can ask for one with the
query parameter ``replica_fault=…``. Without a fault, requests pass through unchanged. HEAD
requests count and fail like GET requests (same status and headers, no body): a server that is
down does not answer the pipelines' data-version question either.
"""

from __future__ import annotations

import http.client
import http.server
import json
import threading
import time
import urllib.parse
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "fixtures" / "reference" / "arcgis"

FAULTS = {
    "http500": "HTTP 500 Internal Server Error",
    "http503": "HTTP 503 with Retry-After",
    "timeout": "no answer for a long time",
    "truncated": "the upstream answer cut off after half its bytes (the connection breaks its Content-Length)",
    "cut": "the first half of the upstream answer as a complete response (the document itself is cut)",
    "invalid": "HTTP 200 with a body that is not what the protocol promises",
    "arcgis_error": "HTTP 200 with ArcGIS's error object (recorded real response)",
    "empty": "a valid answer with no features",
    "tenfold": "the real answer with every record ten times (CSV rows, ArcGIS features and counts), new ETag",
}
HANG_SECONDS = 300
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"}


class FaultState:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fault: str | None = None
        self._remaining = 0

    def arm(self, fault: str, times: int) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {sorted(FAULTS)}")
        with self._lock:
            self._fault, self._remaining = fault, times

    def clear(self) -> None:
        with self._lock:
            self._fault, self._remaining = None, 0

    def take(self) -> str | None:
        with self._lock:
            if not self._fault:
                return None
            fault = self._fault
            if self._remaining > 0:
                self._remaining -= 1
                if self._remaining == 0:
                    self._fault = None
            return fault


def proxy(upstream_port: int, kind: str, port: int) -> http.server.ThreadingHTTPServer:
    """A proxy on ``port`` for the replica at ``upstream_port``; ``kind`` shapes the fault bodies."""
    state = FaultState()

    class Proxy(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            return None

        def do_POST(self) -> None:
            if self.path != "/__replica__/fault":  # a replica's own control (parking scenarios)
                return self._forward("POST", self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            try:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                state.arm(request["fault"], int(request.get("times", 1)))
            except (KeyError, ValueError) as error:
                return self._send(400, str(error).encode(), "text/plain")
            return self._send(200, b'{"armed": true}', "application/json")

        def do_DELETE(self) -> None:
            state.clear()
            self._send(200, b'{"armed": false}', "application/json")

        def do_GET(self) -> None:
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(self.path).query))
            fault = query.get("replica_fault") or state.take()
            if fault:
                return self._fault(fault)
            return self._forward(self.command)

        do_HEAD = do_GET

        def _forward(self, method: str, body: bytes | None = None, tenfold: bool = False) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                connection.request(method, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                body = answer.read()
            except OSError as error:
                return self._send(502, f"replica upstream unavailable: {error}".encode(), "text/plain")
            headers = [(k, v) for k, v in answer.getheaders() if k.lower() not in ("transfer-encoding", "connection")]
            connection.close()
            if tenfold:
                body = _tenfold(body, kind) if method == "GET" else body
                headers = [(k, v + "-tenfold" if k.lower() == "etag" else v) for k, v in headers]
            self.send_response(answer.status)
            for key, value in headers:
                if key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(body)

        def _fault(self, fault: str) -> None:
            if fault == "http500":
                return self._send(500, b"Internal Server Error", "text/plain")
            if fault == "http503":
                self.send_response(503)
                self.send_header("Retry-After", "1")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if fault == "timeout":
                time.sleep(HANG_SECONDS)
                return self._send(504, b"Gateway Timeout", "text/plain")
            if fault in ("truncated", "cut"):  # a body fault: a HEAD answer has no body to cut
                return self._forward("HEAD") if self.command == "HEAD" else self._half(honest_length=fault == "cut")
            if fault == "arcgis_error":
                return self._send(200, (REFERENCE / "koop_statsFail.json").read_bytes(), "application/json")
            if fault == "invalid":
                return self._send(200, b"<html><body>Wartungsarbeiten</body></html>", "text/html")
            if fault == "empty":
                return self._send(200, _EMPTY[kind], _EMPTY_TYPE[kind])
            if fault == "tenfold":
                return self._forward(self.command, tenfold=True)
            return self._send(400, f"unknown fault {fault}".encode(), "text/plain")

        def _half(self, honest_length: bool) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
            connection.request("GET", self.path)
            answer = connection.getresponse()
            body = answer.read()
            connection.close()
            half = body[: len(body) // 2]
            self.send_response(200)
            self.send_header("Content-Type", answer.getheader("Content-Type") or "application/octet-stream")
            self.send_header("Content-Length", str(len(half) if honest_length else len(body)))
            self.end_headers()
            self.wfile.write(half)
            self.close_connection = True

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return http.server.ThreadingHTTPServer(("127.0.0.1", port), Proxy)


def _tenfold(body: bytes, kind: str) -> bytes:
    """Every record of an answer ten times: a CSV's data lines, an ArcGIS query's features and count."""
    if kind == "files":
        header, _, rows = body.partition(b"\n")
        return header + b"\n" + rows * 10 if rows.endswith(b"\n") else header + b"\n" + (rows + b"\n") * 10
    if kind == "arcgis" and body.lstrip().startswith(b"{"):
        answer = json.loads(body)
        if isinstance(answer.get("features"), list):
            answer["features"] = answer["features"] * 10
        if isinstance(answer.get("count"), int):
            answer["count"] *= 10
        return json.dumps(answer).encode()
    return body


_EMPTY = {
    "arcgis": b'{"features": [], "count": 0, "exceededTransferLimit": false}',
    "wfs": (
        b'<?xml version="1.0" encoding="UTF-8"?><wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" '
        b'numberMatched="0" numberReturned="0"/>'
    ),
    "files": b"",
}
_EMPTY_TYPE = {"arcgis": "application/json", "wfs": "text/xml", "files": "text/csv"}
