"""Plugin classes of ckanext-chemnitz.

The classes only wire CKAN interfaces to the focused modules of the extension;
the logic lives in those modules (``search``, ``cli`` …).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.chemnitz.search import backend

_HERE = Path(__file__).parent


@tk.blanket.config_declarations
@tk.blanket.cli
class ChemnitzPlugin(p.SingletonPlugin):
    """The portal itself: theme, German UI and the city's command-line tools."""

    p.implements(p.IConfigurer)

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "chemnitz")


@tk.blanket.config_declarations(str(_HERE / "search" / "config_declaration.yaml"))
class ChemnitzSearchPlugin(p.SingletonPlugin):
    """Dataset search on PostgreSQL full-text search, used when no Solr is configured."""

    p.implements(p.IConfigurer)

    def update_config(self, config: Any) -> None:
        backend.install()
