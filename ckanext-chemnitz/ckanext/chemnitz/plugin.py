"""Plugin classes of ckanext-chemnitz.

The classes only wire CKAN interfaces to the focused modules of the extension; the logic lives
in those modules (``cli``, ``organizations`` …). The search backend has its own plugin,
``chemnitz_search``, in ``search/plugin.py``.
"""

from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
@tk.blanket.cli
class ChemnitzPlugin(p.SingletonPlugin):
    """The portal itself: the city's departments, command-line tools and (later) theme."""
