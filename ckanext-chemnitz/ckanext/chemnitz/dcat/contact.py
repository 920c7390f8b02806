"""Who to ask about a dataset: its own contact, else its department's, else the portal's contact page.

GovData and data.europa.eu show ``dcat:contactPoint`` as "who answers questions". A dataset's own
``contact`` field wins; otherwise the department's contact declared in ``schemas/organizations.yaml``;
otherwise the portal's page ``/kontakt?stelle=<department>``, a real page of the portal that names
the department and how to reach the portal team (no address is invented for a department).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.chemnitz import organizations

contact = Blueprint("chemnitz_contact", __name__)
PATH = "/kontakt"


def page_url(organization: str | None) -> str:
    """Absolute URL of the portal's contact page addressed to ``organization`` (a name)."""
    query = f"?{urlencode({'stelle': organization})}" if organization else ""
    return f"{tk.config.get('ckan.site_url', '').rstrip('/')}{PATH}{query}"


def _filled(entry: dict[str, Any]) -> dict[str, str]:
    return {key: str(entry[key]).strip() for key in organizations.CONTACT_FIELDS if str(entry.get(key) or "").strip()}


def own_contacts(dataset_dict: dict[str, Any]) -> list[dict[str, str]]:
    """The contacts entered on the dataset itself (entries with at least one value)."""
    return [filled for entry in dataset_dict.get("contact") or [] if (filled := _filled(entry))]


def department_contact(organization: dict[str, Any] | None) -> dict[str, str] | None:
    """The department's contact: declared in organizations.yaml, else the portal's contact page.

    ``via_portal`` marks the portal's page, which the dataset page names as such.
    """
    if not organization:
        return None
    declared = organizations.declared_contacts().get(organization["name"]) or {}
    name = declared.get("name") or organization.get("title") or organization["name"]
    if declared.get("email") or declared.get("url"):
        return _filled({**declared, "name": name})
    return {"name": name, "url": page_url(organization["name"]), "via_portal": "ja"}


def contact_points(dataset_dict: dict[str, Any]) -> list[dict[str, str]]:
    """Whom to ask about the dataset, most specific first (what the dataset page and the RDF show).

    The dataset's ``contact`` entries; else its maintainer's (or author's) e-mail address, which
    ckanext-dcat also reads as a contact; else its department's contact.
    """
    own = own_contacts(dataset_dict)
    if own:
        return own
    organization = dataset_dict.get("organization") or {}
    email = dataset_dict.get("maintainer_email") or dataset_dict.get("author_email")
    if email:
        name = dataset_dict.get("maintainer") or dataset_dict.get("author") or organization.get("title") or email
        return [{"name": name, "email": email}]
    department = department_contact(organization or None)
    return [department] if department else []


def maintainer_name(dataset_dict: dict[str, Any]) -> str | None:
    """``dcatde:maintainer``: the dataset's maintainer field, else the responsible department."""
    organization = dataset_dict.get("organization") or {}
    return dataset_dict.get("maintainer") or organization.get("title") or organization.get("name")


@contact.route(PATH)
def show() -> str:
    """The contact page, addressed to the department named in ``stelle`` when there is one."""
    wanted = tk.request.args.get("stelle", "").strip()
    department = None
    if wanted:
        try:
            department = tk.get_action("organization_show")({}, {"id": wanted, "include_datasets": False})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            return tk.abort(404, "Diese Stelle gibt es im Portal nicht.")
    listing = {"all_fields": True, "sort": "title asc"}
    departments = [] if department else tk.get_action("organization_list")({}, listing)
    return tk.render(
        "chemnitz/contact.html",
        {
            "department": department,
            "declared": department_contact(department) if department else None,
            "departments": departments,
        },
    )


def helpers() -> dict[str, Any]:
    return {"chemnitz_contact_points": contact_points}
