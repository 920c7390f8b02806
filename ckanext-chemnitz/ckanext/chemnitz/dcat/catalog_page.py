"""``/catalog.ttl`` (and ``.rdf``, ``.jsonld`` …): ckanext-dcat's paged catalogue with valid page links.

ckanext-dcat pastes the request's ``q``, ``fq``, ``modified_since`` and ``profiles`` unencoded into
the page links (``hydra:first``, ``hydra:next`` …): ``?q=Parken OR Kita`` made an IRI with spaces,
which rdflib refuses to write (HTTP 500). A ``q`` or ``fq`` the search cannot parse and a date
beyond the calendar in ``modified_since`` were server errors too. Its action is replaced, not
wrapped (the links are built inside it from the request); the view answers the ValidationError
raised here with HTTP 409 and the message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.search import SearchError
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.utils import catalog_uri

PAGE_LINKS = ("current", "first", "last", "previous", "next")
KEPT_IN_LINKS = ("modified_since", "profiles", "q", "fq")  # as ckanext-dcat keeps them


def page_link(page: int) -> str:
    """The URL of ``page`` of the current catalogue request, its parameters encoded."""
    kept = [(key, value) for key, value in tk.request.args.items() if key in KEPT_IN_LINKS]
    return f"{catalog_uri()}{tk.request.path}?{urlencode([*kept, ('page', page)])}"


def pagination_info(query: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """ckanext-dcat's hydra paging of a search result (``count``, ``results``), its links encoded."""
    pagination = dcat_logic._pagination_info(query, data_dict)
    for key in PAGE_LINKS:
        if key in pagination:  # ckanext-dcat's link ends with "page=<n>"
            pagination[key] = page_link(int(pagination[key].rsplit("page=", 1)[1]))
    return pagination


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(original: Any, context: Any, data_dict: dict[str, Any]) -> str:
    tk.check_access("dcat_catalog_show", context, data_dict)
    try:
        query = dcat_logic._search_ckan_datasets(context, data_dict)
    except SearchError as error:
        raise tk.ValidationError({"q": [str(error)]}) from None
    except OverflowError:  # dateutil: a year beyond 9999 in modified_since
        raise tk.ValidationError({"modified_since": ["Wrong modified date format. Use ISO-8601 format"]}) from None
    pagination = pagination_info(query, data_dict)
    serializer = RDFSerializer(profiles=data_dict.get("profiles"))
    return serializer.serialize_catalog(
        {}, query["results"], _format=data_dict.get("format"), pagination_info=pagination
    )


def actions() -> dict[str, Any]:
    """The replaced action, when ckanext-dcat (which declares it) is loaded."""
    return {"dcat_catalog_show": dcat_catalog_show} if p.plugin_loaded("dcat") else {}
