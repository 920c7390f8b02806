"""Which search backend answers: PostgreSQL while the ``chemnitz_search`` plugin is loaded and no Solr
is configured (or ``ckanext.chemnitz.search.backend`` says so), CKAN's Solr code otherwise.

``registry.py`` installs the PostgreSQL classes in CKAN's search registries; they ask ``is_active``
on every call, so unloading the plugin or configuring ``solr_url`` switches back to Solr without a
restart of the registries. Other features of the portal ask it too (public).
"""

from __future__ import annotations

import ckan.plugins as p
from ckan.common import config

PLUGIN_NAME = "chemnitz_search"


def is_active() -> bool:
    """True while the plugin is loaded and configuration selects PostgreSQL."""
    if not p.plugin_loaded(PLUGIN_NAME):
        return False
    choice = config.get("ckanext.chemnitz.search.backend") or "auto"
    if choice == "auto":
        return not config.get("solr_url")
    return choice == "postgres"
