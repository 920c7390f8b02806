"""Keeps CKAN's organizations in line with the city's departments in ``schemas/organizations.yaml``.

Sync is idempotent: an organization that matches its declaration is left alone (no new activity),
a changed title or description is patched, a missing one is created. Organizations that are not
declared are never touched, so departments added by hand through the web UI stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import yaml

DECLARED_FIELDS = ("title", "description")
CONTACT_FIELDS = ("name", "email", "url")
# schemas/ sits at the repository root, next to the extension's source folder.
DEFAULT_DECLARATIONS = Path(__file__).resolve().parents[3] / "schemas" / "organizations.yaml"


@dataclass(frozen=True)
class SyncResult:
    created: list[str]
    updated: list[str]
    unchanged: list[str]

    def __str__(self) -> str:
        return (
            f"Organizations: {len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged."
        )


def declarations_file() -> Path:
    """``ckanext.chemnitz.organizations`` if set, else the repository's ``schemas/organizations.yaml``."""
    return Path(tk.config.get("ckanext.chemnitz.organizations") or DEFAULT_DECLARATIONS)


def load(path: Path) -> list[dict[str, Any]]:
    """The declared organizations; raise ValueError naming the entry that is incomplete."""
    declared = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("organizations") or []
    for number, entry in enumerate(declared, start=1):
        missing = [key for key in ("name", *DECLARED_FIELDS) if not entry.get(key)]
        if missing:
            raise ValueError(f"{path}: organization #{number} lacks {', '.join(missing)}")
        contact = entry.get("contact") or {}
        unknown = sorted(set(contact) - set(CONTACT_FIELDS))
        if unknown or (contact and not (contact.get("email") or contact.get("url"))):
            raise ValueError(
                f"{path}: the contact of {entry['name']} needs an email or url (and only {', '.join(CONTACT_FIELDS)})"
            )
    return declared


def declared_contacts() -> dict[str, dict[str, str]]:
    """``{organization name: contact}`` of the departments whose declaration overrides the default.

    Read once per file version: the RDF profile asks for every dataset it writes.
    """
    path = declarations_file()
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return {}
    if _contacts_cache.get("key") != (path, stamp):
        contacts = {entry["name"]: dict(entry["contact"]) for entry in load(path) if entry.get("contact")}
        _contacts_cache.update(key=(path, stamp), contacts=contacts)
    return _contacts_cache["contacts"]


_contacts_cache: dict[str, Any] = {}


def sync(declared: list[dict[str, Any]], members: dict[str, str] | None = None) -> SyncResult:
    """Create or update the declared organizations; add ``members`` ({user: role}) to each."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    result = SyncResult([], [], [])
    for entry in declared:
        wanted = {key: entry[key] for key in DECLARED_FIELDS}
        try:
            current = tk.get_action("organization_show")(dict(context), {"id": entry["name"]})
        except tk.ObjectNotFound:
            tk.get_action("organization_create")(dict(context), {"name": entry["name"], **wanted})
            result.created.append(entry["name"])
        else:
            if any((current.get(key) or "") != value for key, value in wanted.items()):
                tk.get_action("organization_patch")(dict(context), {"id": current["id"], **wanted})
                result.updated.append(entry["name"])
            else:
                result.unchanged.append(entry["name"])
        for user, role in (members or {}).items():
            _ensure_member(context, entry["name"], user, role)
    return result


def _ensure_member(context: dict[str, Any], organization: str, user: str, role: str) -> None:
    current = tk.get_action("member_list")(dict(context), {"id": organization, "object_type": "user", "capacity": role})
    user_id = tk.get_action("user_show")(dict(context), {"id": user})["id"]
    if any(member[0] == user_id for member in current):
        return
    tk.get_action("organization_member_create")(dict(context), {"id": organization, "username": user, "role": role})
