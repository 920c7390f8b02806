"""``/catalog`` without a suffix, answered by HTTP content negotiation.

ckanext-dcat negotiates on ``/`` and ``/dataset/{name}`` only; harvesters and the DCAT-AP.de
guidelines also ask the catalogue URI itself for RDF (``Accept: text/turtle``). Browsers asking
for HTML are sent to the dataset search, the human view of the catalogue.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckanext.dcat import utils as dcat_utils
from flask import Blueprint, redirect
from werkzeug.wrappers import Response

from ckanext.chemnitz.dcat import pages

catalog = Blueprint("chemnitz_catalog", __name__)

# What ``*/*`` or a missing Accept header gets: the format GovData and data.europa.eu read first.
DEFAULT_FORMAT = "ttl"


def negotiated_format(accept: str) -> str | None:
    """The RDF format the Accept header asks for, the default for ``*/*``, or None for HTML."""
    chosen = dcat_utils.parse_accept_header(accept)
    if chosen:
        return chosen
    wants_html = any(part.split(";")[0].strip() in ("text/html", "application/xhtml+xml") for part in accept.split(","))
    return None if wants_html else DEFAULT_FORMAT


@catalog.route("/catalog")
def read_catalog() -> Response:
    chosen = negotiated_format(tk.request.headers.get("Accept", ""))
    response = redirect(tk.url_for("dataset.search"), code=303) if chosen is None else pages.catalog_response(chosen)
    response.vary.add("Accept")
    return response
