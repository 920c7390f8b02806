"""What a source says about its own state, without downloading it: the version of its data.

A harvest whose source reports the same version as at the last successful run (and whose
configuration and code are unchanged) need not fetch the source at all. Sources that say nothing
get ``None`` and are fetched in full, then compared by fingerprint.

* ArcGIS hosted layers: ``editingInfo.dataLastEditDate`` / ``lastEditDate`` of the layer (epoch ms).
* Files (CSV, XLSX): the HTTP ``ETag``, else ``Last-Modified`` with ``Content-Length``, of a HEAD request.
* WFS: no standard way to ask; ``None``.
"""

from __future__ import annotations

import requests

from pipelines.extract.arcgis import layer_info


def source_version(http: requests.Session, kind: str, url: str, timeout: float) -> str | None:
    if kind == "arcgis":
        editing = layer_info(http, url, timeout).get("editingInfo") or {}
        edited = editing.get("dataLastEditDate") or editing.get("lastEditDate")
        return f"lastEditDate={edited}" if edited else None
    if kind in ("csv", "xlsx"):
        answer = http.head(url, timeout=timeout, allow_redirects=True)
        if answer.status_code != 200:
            return None
        if answer.headers.get("ETag"):
            return f"etag={answer.headers['ETag']}"
        if answer.headers.get("Last-Modified"):
            return f"modified={answer.headers['Last-Modified']};length={answer.headers.get('Content-Length', '')}"
    return None
