"""Plugin classes of ckanext-chemnitz.

The classes only wire CKAN interfaces to the focused modules of the extension;
the logic lives in those modules (``cli``, ``organizations`` …). The search backend has
its own plugin in ``search/plugin.py``.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
@tk.blanket.cli
class ChemnitzPlugin(p.SingletonPlugin):
    """The portal itself: theme, German UI and the city's command-line tools."""

    p.implements(p.IConfigurer)

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "chemnitz")
