"""Plugin classes of ckanext-chemnitz.

The classes only wire CKAN interfaces to the focused modules of the extension; the logic lives
in those modules (``cli``, ``organizations``, ``dcat``, ``quality`` …). The search backend has its
own plugin, ``chemnitz_search``, in ``search/plugin.py``.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.exceptions import CkanConfigurationException
from ckan.lib.plugins import DefaultTranslation

from ckanext.chemnitz import download_names, provenance, usage
from ckanext.chemnitz.datastore import actions as datastore_actions
from ckanext.chemnitz.dcat import catalog_page, contact, dates, helpers, profile, store, validators, views
from ckanext.chemnitz.dcat import facets as dcat_facets
from ckanext.chemnitz.dcat import pages as dcat_pages
from ckanext.chemnitz.iso19139 import views as iso19139_views
from ckanext.chemnitz.limits import gate as limits_gate
from ckanext.chemnitz.limits import sql as limits_sql
from ckanext.chemnitz.limits import users as limits_users
from ckanext.chemnitz.parking import status as parking_status
from ckanext.chemnitz.parking import views as parking_views
from ckanext.chemnitz.quality import actions as quality_actions
from ckanext.chemnitz.quality import helpers as quality_helpers
from ckanext.chemnitz.quality import search as quality_search
from ckanext.chemnitz.search import contained_values
from ckanext.chemnitz.security import client_errors, cookies, csrf, headers, jsonp, logout, search_input, uploaded_files
from ckanext.chemnitz.security import visibility as dataset_visibility
from ckanext.chemnitz.spatial import basemaps as spatial_basemaps
from ckanext.chemnitz.spatial import districts as spatial_districts
from ckanext.chemnitz.spatial import helpers as spatial_helpers
from ckanext.chemnitz.spatial import index as spatial_index
from ckanext.chemnitz.spatial import search as spatial_search
from ckanext.chemnitz.spatial import views as spatial_views
from ckanext.chemnitz.theme import assets as theme_assets
from ckanext.chemnitz.theme import feedback, pages
from ckanext.chemnitz.theme import helpers as theme_helpers


@tk.blanket.config_declarations
@tk.blanket.cli
class ChemnitzPlugin(p.SingletonPlugin, DefaultTranslation):
    """The portal itself: DCAT-AP.de metadata, metadata quality, parking search, the departments, CLI tools."""

    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITranslation)
    p.implements(p.IValidators)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IBlueprint)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IOrganizationController, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "ckanext-chemnitz")
        theme_assets.register()
        tk.add_public_directory(config, "public")

    def update_config_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return pages.update_config_schema(schema)

    def configure(self, config: Any) -> None:
        contributor = config.get("ckanext.chemnitz.dcat.contributor_id")
        if contributor:
            try:
                validators.check_contributor_id(contributor)
            except tk.Invalid as error:
                raise CkanConfigurationException(f"ckanext.chemnitz.dcat.contributor_id: {error.error}") from None
        regional_key = config.get(profile.REGIONAL_KEY)
        if regional_key is not None:  # CKAN's configuration has it (declared default); a bare mapping may not
            try:
                profile.catalogue_area(regional_key)
            except ValueError as error:
                raise CkanConfigurationException(f"{profile.REGIONAL_KEY}: {error}") from None

    def get_validators(self) -> dict[str, Any]:
        return validators.validators()

    def get_helpers(self) -> dict[str, Any]:
        return {
            **helpers.helpers(),
            **contact.helpers(),
            **quality_helpers.helpers(),
            **parking_status.helpers(),
            **provenance.helpers(),
            **theme_helpers.helpers(),
            **pages.helpers(),
            **spatial_helpers.helpers(),
        }

    def get_blueprint(self) -> list[Any]:
        return [
            views.catalog,
            contact.contact,
            parking_views.parking,
            pages.pages,
            spatial_views.karte,
            iso19139_views.iso19139,
        ]

    def get_actions(self) -> dict[str, Any]:
        return {
            **quality_actions.actions(),
            **datastore_actions.actions(),
            **feedback.actions(),
            **limits_sql.actions(),
            **dataset_visibility.actions(),
            **catalog_page.actions(),
            "package_search": search_input.package_search,
        }

    def get_auth_functions(self) -> dict[str, Any]:
        return {
            **feedback.auth_functions(),
            **limits_users.auth_functions(),
            "package_collaborator_list": client_errors.package_collaborator_list,
        }

    def make_middleware(self, app: Any, config: Any) -> Any:
        app = dcat_pages.install(client_errors.install(app))
        protected = uploaded_files.install(download_names.install(jsonp.install(logout.install(cookies.install(app)))))
        secured = csrf.install(usage.install(limits_gate.install(protected)))
        return headers.install(secured, spatial_basemaps.origins(tk.config))

    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        # The portal groups datasets by EU themes, not by CKAN groups.
        kept = {key: label for key, label in facets_dict.items() if key != "groups"}
        themed = {"theme": tk._("Themes"), **kept, "hvd_category": tk._("High-value data")}
        themed[spatial_index.FACET] = tk._("District")
        themed[quality_search.FACET] = tk._("Metadata quality")
        return themed

    def organization_facets(
        self, facets_dict: dict[str, Any], group_type: str, package_type: str | None
    ) -> dict[str, Any]:
        return self.dataset_facets(facets_dict, package_type or "dataset")

    # IPackageController and IOrganizationController share these hooks' names.
    def create(self, entity: Any) -> None:
        if isinstance(entity, model.Package):
            dates.align_resource_dates(entity)

    def edit(self, entity: Any) -> None:
        if isinstance(entity, model.Package):
            dates.align_resource_dates(entity)
        elif entity.is_organization:  # its title is in its datasets' RDF
            store.organization_changed(entity.id)

    def delete(self, entity: Any) -> None:
        if isinstance(entity, model.Package):
            store.dataset_left(entity.id)
        elif entity.is_organization:
            store.organization_changed(entity.id)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        document = quality_search.index_document(dcat_facets.index_document(contained_values.index_document(pkg_dict)))
        store.index_hook(document)
        return spatial_index.index_document(document)

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return spatial_search.before_search(search_params)

    def after_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        self.after_resource_update(context, resource)

    def after_resource_update(self, context: Any, resource: dict[str, Any]) -> None:
        # New district polygons: the Stadtteil facet of every dataset with an extent follows.
        if spatial_districts.is_districts_dataset(resource["package_id"]):
            spatial_districts.reindex_affected()

    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
        return quality_search.label_rating_facet(dcat_facets.label_facets(search_results))
