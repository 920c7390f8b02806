"""The file-drop replica: CSV/XLSX exports served like a plain web server does.

``http.server`` already answers HEAD and ``If-Modified-Since`` with ``Last-Modified``; an ETag
(content hash) is added so clients can make conditional requests either way.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
from pathlib import Path
from typing import ClassVar


class Files(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".csv": "text/csv; charset=utf-8",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    def log_message(self, *args: object) -> None:
        return None

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_file():
            etag = '"' + hashlib.sha256(path.read_bytes()).hexdigest()[:32] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return None
            self._etag = etag
        return super().send_head()

    def end_headers(self) -> None:
        etag = getattr(self, "_etag", None)
        if etag:
            self.send_header("ETag", etag)
        super().end_headers()


def server(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Files, directory=str(folder)))
