"""Plugin classes of ckanext-chemnitz.

The classes only wire CKAN interfaces to the focused modules of the extension; the logic lives
in those modules (``cli``, ``organizations``, ``dcat`` …). The search backend has its own plugin,
``chemnitz_search``, in ``search/plugin.py``.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.exceptions import CkanConfigurationException

from ckanext.chemnitz.dcat import helpers, validators, views


@tk.blanket.config_declarations
@tk.blanket.cli
class ChemnitzPlugin(p.SingletonPlugin):
    """The portal itself: DCAT-AP.de metadata, the city's departments, command-line tools."""

    p.implements(p.IConfigurable)
    p.implements(p.IValidators)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IBlueprint)

    def configure(self, config: Any) -> None:
        contributor = config.get("ckanext.chemnitz.dcat.contributor_id")
        if contributor:
            try:
                validators.check_contributor_id(contributor)
            except tk.Invalid as error:
                raise CkanConfigurationException(f"ckanext.chemnitz.dcat.contributor_id: {error.error}") from None

    def get_validators(self) -> dict[str, Any]:
        return validators.validators()

    def get_helpers(self) -> dict[str, Any]:
        return helpers.helpers()

    def get_blueprint(self) -> list[Any]:
        return [views.catalog]
