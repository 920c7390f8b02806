"""CKAN's messages that a visitor meets as accessible names and tooltips in CKAN's own templates
and that its compiled German catalogue lacks (CKAN 2.12's ckan.mo is older than its ckan.po).

Listed for extraction (scripts/i18n.sh extract keeps only ids found in the extension's sources);
the portal's catalogue translates them, and CKAN merges it over its own.
"""

from __future__ import annotations

from ckanext.chemnitz.translation import N_

CKAN_MESSAGES = (
    N_("Navigate to dataset: {title}"),  # snippets/package_item.html
    N_("Navigate to resource: {name}"),  # package/snippets/resources.html (ckan.po's German has a wrong placeholder)
    N_("Open details page for {name}"),  # organization/snippets/organization_item.html
    N_("Current resource: {name}"),  # package/resource_read.html
    N_("Resource URL: {url}"),  # package/resource_read.html
    N_("Close modal"),  # package/snippets/resource_view.html
    N_("Search datasets with the tag: {name}"),  # snippets/tag_list.html
)
