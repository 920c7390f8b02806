"""What the search index holds, for the portal's other features (public; whichever backend answers).

Other packages use the search backend through this module, ``backend.is_active`` and the field names
of ``fields``; the index's tables and queries stay private to ``search``.
"""

from __future__ import annotations

import ckan.model as model
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.search.common import make_connection

from ckanext.chemnitz.search import backend, tables
from ckanext.chemnitz.search.fields import EXTENT_FIELD


def ids_with_extent() -> list[str]:
    """Ids of the datasets whose index entry has a spatial extent, drafts, private and deleted ones
    included (every entry, not what a search would show)."""
    site = config.get("ckan.site_id")
    if backend.is_active():
        statement = sa.text(f"SELECT id FROM {tables.TABLE} WHERE site_id = :site AND extent_west IS NOT NULL")
        return [row.id for row in model.Session.execute(statement, {"site": site})]
    solr = make_connection()
    params = {"q": "*:*", "fq": [f'+site_id:"{site}"', f"+{EXTENT_FIELD}:[* TO *]"], "fl": "id"}
    total = solr.search(rows=0, **params).hits
    return [document["id"] for document in solr.search(rows=total, **params).docs]
