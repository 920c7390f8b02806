"""Uploaded files are data, never part of the portal: no browser runs them on the portal's origin.

An editor chooses an upload's name, its declared type (the resource's ``mimetype``) and its content.
CKAN serves an upload inline with that type, so an uploaded HTML page ran scripts on the portal's
origin, and the Content Security Policy (``script-src 'self'``) let it load another upload as its
script: it could read a visitor's CSRF token and act in their session.

Every answer of a download endpoint (resources, CKAN's file API) therefore carries
``X-Content-Type-Options: nosniff`` and a sandboxing policy (an opened file is a document without
an origin, scripts or plugins). A declared type that is not on a safe list (HTML, XHTML, SVG,
JavaScript, CSS, XML, anything unknown) becomes ``application/octet-stream``, which no browser
renders, runs as script or applies as style, and the file is an attachment. Only images, plain
text, CSV and JSON are shown in the browser, and only when the file's name says the same and its
first bytes are no markup; everything else is downloaded. Scripts of the portal itself fetch files
(map previews), which neither the attachment nor the policy affects.

An upload whose file is missing from the storage (a database restored without its files, a file
removed by hand) is a 404 with a notice, not a server error page: CKAN's download view lets the
missing file's ``FileNotFoundError`` through. The portal logs it as an error for the operator.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import cast
from urllib.parse import quote

import ckan.plugins.toolkit as tk
from flask import Flask, Response, request
from werkzeug.http import parse_options_header

log = logging.getLogger(__name__)

# Shown in the browser: nothing in them runs, and nosniff keeps browsers from guessing otherwise.
INLINE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "text/plain", "text/csv", "application/json",
     "application/geo+json"}
)  # fmt: skip
# Downloaded with their type: data and document formats no browser runs on the page's origin.
PASSIVE_TYPES = INLINE_TYPES | {
    "text/tab-separated-values",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/octet-stream",
}
UNSAFE_REPLACEMENT = "application/octet-stream"
DOWNLOAD_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"
SNIFF_BYTES = 512
# Types Python's table may not know (it depends on the system's mime.types).
EXTENSION_TYPES = {".geojson": "application/geo+json"}


def is_download(endpoint: str | None) -> bool:
    """Resource downloads of every dataset type (``dataset_resource.download`` …) and CKAN's file API."""
    return endpoint is not None and (endpoint.endswith("resource.download") or endpoint.startswith("file."))


def type_of_name(filename: str) -> str | None:
    """The type a browser or a desktop would assume from the file's extension."""
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return EXTENSION_TYPES.get(extension) or mimetypes.guess_type(filename, strict=False)[0]


def looks_like_markup(head: bytes) -> bool:
    """HTML, SVG or XML whatever the name says: what a sniffing browser would render as a page."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n\f").startswith(b"<")


class Replayed:
    """A response body whose first chunks were read already: sends them again, then the rest."""

    def __init__(self, head: list[bytes], rest: Iterator[bytes], source: Iterable[bytes]) -> None:
        self.head, self.rest, self.source = head, rest, source

    def __iter__(self) -> Iterator[bytes]:
        yield from self.head
        yield from self.rest

    def close(self) -> None:
        close = getattr(self.source, "close", None)
        if close:
            close()


def peek(response: Response) -> bytes:
    """The body's first bytes, leaving the body to be sent complete (also a streamed file)."""
    if response.is_sequence:
        return response.get_data()[:SNIFF_BYTES]
    # werkzeug allows str chunks too; a download streamed from a file or the storage yields bytes
    source = cast("Iterable[bytes]", response.response)
    rest = iter(source)
    head: list[bytes] = []
    while sum(map(len, head)) < SNIFF_BYTES and (chunk := next(rest, None)) is not None:
        head.append(chunk)
    response.response = Replayed(head, rest, source)
    return b"".join(head)[:SNIFF_BYTES]


def shown_inline(response: Response, declared: str, filename: str) -> bool:
    return (
        response.status_code == 200
        and declared in INLINE_TYPES
        and type_of_name(filename) in INLINE_TYPES
        and not looks_like_markup(peek(response))
    )


def content_disposition(kind: str, filename: str) -> str:
    """``inline`` or ``attachment`` with the name; other than plain ASCII names as RFC 6266 says."""
    if not filename:
        return kind
    ascii_name = re.sub(r"[^\w.() -]", "_", unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode())
    if ascii_name == filename:
        return f'{kind}; filename="{ascii_name}"'
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def protect(response: Response, filename: str) -> Response:
    """Headers that keep a delivered file from running in the portal's origin."""
    if not 200 <= response.status_code < 300:
        return response  # a redirect to an external resource, or the portal's error page
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    declared = (response.mimetype or "").lower()
    if declared not in PASSIVE_TYPES:
        response.headers["Content-Type"] = UNSAFE_REPLACEMENT
    kind = "inline" if shown_inline(response, declared, filename) else "attachment"
    response.headers["Content-Disposition"] = content_disposition(kind, filename)
    return response


def install(app: Flask) -> Flask:
    @app.after_request
    def protect_downloads(response: Response) -> Response:
        if not is_download(request.endpoint):
            return response
        _, options = parse_options_header(response.headers.get("Content-Disposition", ""))
        filename = options.get("filename") or (request.view_args or {}).get("filename") or ""
        return protect(response, filename)

    @app.errorhandler(FileNotFoundError)
    def missing_upload(error: FileNotFoundError) -> tuple[str, int]:
        if not is_download(request.endpoint):
            raise error
        log.error("The file of an upload is missing from the storage: %s (%s)", request.path, error.filename)
        notice = tk._("The file of this resource is not available on the server.")
        return tk.render("error_document_template.html", {"code": 404, "content": notice}), 404

    return app
