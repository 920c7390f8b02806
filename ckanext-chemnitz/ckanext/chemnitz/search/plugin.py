"""The ``chemnitz_search`` plugin: CKAN dataset search on PostgreSQL when no Solr is configured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ckan.plugins as p
import yaml
from ckan.config.declaration import Declaration, Key
from ckan.config.declaration.option import Flag

from ckanext.chemnitz.search import registry, solr


class ChemnitzSearchPlugin(p.SingletonPlugin):
    """Registers the PostgreSQL search backend in CKAN's search registries."""

    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.ITemplateHelpers)

    def update_config(self, config: Any) -> None:
        registry.install()

    def make_middleware(self, app: Any, config: Any) -> Any:
        return solr.install(app)

    def get_helpers(self) -> dict[str, Any]:
        # Datasets are saved during a Solr outage: the series choices fall back to the database.
        return {"in_series_choices": solr.in_series_choices} if p.plugin_loaded("dataset_series") else {}

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        path = Path(__file__).with_name("config_declaration.yaml")
        declaration.load_dict(yaml.safe_load(path.read_text(encoding="utf-8")))
        # CKAN declares solr_url as required; with this plugin an empty value means "no Solr".
        solr_url = declaration[key.solr_url]
        solr_url.flags &= ~Flag.required
