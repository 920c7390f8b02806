"""Each public dataset's DCAT RDF, made when the dataset changes and stored, ready to be concatenated.

ckanext-dcat builds an rdflib graph of every dataset on every catalogue request (about 0.5 s for a
page of 100). Here the graph of a dataset is built once, when the dataset is indexed, in both
profiles the portal serves (``dcat_ap_de``, ``dcat_ap_de_2``) and in three serialisations that can
be joined without parsing (``pages.py`` assembles them):

* Turtle: a complete document; Turtle allows ``@prefix`` anywhere, so documents concatenate
  (blank-node labels are rdflib's random ids, unique across datasets). N3 is served from it.
* RDF/XML: the top-level elements, each declaring its own namespaces, to be put inside one
  ``rdf:RDF`` element.
* JSON-LD: the node objects of an expanded document (no context), to be put inside one array.

What else goes into a dataset's RDF is tracked so stored pieces are never served stale:

* ``source_modified``: the dataset's ``metadata_modified`` the piece was made from;
* ``stale``: set when something outside the dataset changed its RDF — its organization (title
  in ``dcatde:maintainer`` and the contact point), a member of its series (``dcat:prev``/``next``);
* ``generation``: a fingerprint of the code that writes the RDF, the settings and the licence and
  department lists (``pieces.py``, which makes the pieces; storing and reading them is this module's).

A piece failing any of these is rebuilt when read (``fresh_pieces``). Records of datasets that are
no longer public stay, with the time they left, so ``modified_since`` can announce the deletion.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckanext.dcat.utils import dataset_uri

from ckanext.chemnitz.dcat.pieces import build, generation

log = logging.getLogger(__name__)

RECORD = "chemnitz_dcat_record"
PIECE = "chemnitz_dcat_piece"
# The formats of ckanext-dcat's URLs (``/catalog.ttl`` …) and the stored piece each is made from.
URL_FORMATS = {"ttl": "ttl", "n3": "ttl", "rdf": "xml", "xml": "xml", "jsonld": "jsonld"}
HIDDEN_TYPES = ("harvest", "showcase")  # as ckanext-dcat's catalogue leaves them out
# Datasets in the public catalogue (SQL over ``package p``).
PUBLIC = f"p.state = 'active' AND NOT p.private AND p.type NOT IN ('{HIDDEN_TYPES[0]}', '{HIDDEN_TYPES[1]}')"
# When a dataset's RDF last changed (SQL over ``package p`` and its record ``r``): r.changed counts
# organization and series changes too.
STAMP = "GREATEST(p.metadata_modified, r.changed)"
_tables_present = False
_missing_reported = False


def utcnow() -> datetime.datetime:
    """CKAN's clock: naive UTC, as ``metadata_modified``."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def available() -> bool:
    """Whether the extension's migration has made the tables (``ckan db upgrade``)."""
    global _tables_present, _missing_reported
    if not _tables_present:
        _tables_present = sa.inspect(model.Session.connection()).has_table(PIECE)
        if not _tables_present and not _missing_reported:
            log.warning("Table %s is missing (run `ckan db upgrade`): DCAT pages are built per request", PIECE)
            _missing_reported = True
    return _tables_present


# --------------------------------------------------------------------------------------- storing
def _is_public(dataset_dict: dict[str, Any]) -> bool:
    return (
        dataset_dict.get("state") == "active"
        and not dataset_dict.get("private")
        and dataset_dict.get("type") not in HIDDEN_TYPES
    )


def _in_series(dataset_dict: dict[str, Any]) -> bool:
    return dataset_dict.get("type") == "dataset_series" or bool(dataset_dict.get("in_series"))


def _modified(dataset_dict: dict[str, Any]) -> datetime.datetime:
    return datetime.datetime.fromisoformat(dataset_dict["metadata_modified"])


def store(connection: Any, dataset_dict: dict[str, Any], *, changed: bool = True) -> None:
    """Record the dataset as it is now and store its pieces (or drop them when it is not public).

    ``changed`` stamps the record with the current time, for ``modified_since``; a piece rebuilt
    only because it was missing keeps the dataset's own time. Members of a series are built when
    read: their ``dcat:prev``/``dcat:next`` come from the search index, which may not hold this
    change yet; so are their fellow members, whose neighbours may just have changed.
    """
    package_id = dataset_dict["id"]
    public = _is_public(dataset_dict)
    previous = connection.execute(
        sa.text(f"SELECT public, series FROM {RECORD} WHERE package_id = :id"), {"id": package_id}
    ).first()
    if previous is None and not public:
        return  # never public: nothing to publish, nothing to announce
    series = sorted(dataset_dict.get("in_series") or [])
    if dataset_dict.get("type") == "dataset_series":
        series.append(package_id)
    related = set(series) | set(previous.series if previous else [])
    if related and changed:
        connection.execute(
            sa.text(f"UPDATE {RECORD} SET stale = true, changed = :now "
                    "WHERE package_id <> :id AND (package_id = ANY(:related) OR series && :related)"),
            {"id": package_id, "related": sorted(related), "now": utcnow()},
        )  # fmt: skip
    left = previous is not None and previous.public and not public
    stamp = utcnow() if changed and (public or left) else _modified(dataset_dict)
    connection.execute(
        sa.text(
            f"""INSERT INTO {RECORD} (package_id, name, uri, owner_org, series, public, source_modified, changed, stale)
            VALUES (:id, :name, :uri, :owner_org, :series, :public, :source_modified, :changed, :stale)
            ON CONFLICT (package_id) DO UPDATE SET name = EXCLUDED.name, uri = EXCLUDED.uri,
                owner_org = EXCLUDED.owner_org, series = EXCLUDED.series, public = EXCLUDED.public,
                source_modified = EXCLUDED.source_modified, stale = EXCLUDED.stale,
                changed = CASE WHEN :keep_time THEN {RECORD}.changed ELSE EXCLUDED.changed END"""
        ),
        {
            "id": package_id,
            "name": dataset_dict["name"],
            "uri": dataset_uri(dataset_dict),
            "owner_org": dataset_dict.get("owner_org"),
            "series": series,
            "public": public,
            "source_modified": _modified(dataset_dict),
            "changed": stamp,
            "stale": public and changed and _in_series(dataset_dict),
            "keep_time": not changed or (not public and not left),
        },
    )
    if not public or (changed and _in_series(dataset_dict)):
        connection.execute(sa.text(f"DELETE FROM {PIECE} WHERE package_id = :id"), {"id": package_id})
        return
    pieces = build(dataset_dict)  # always every profile and format: the upsert replaces them all
    connection.execute(  # one statement, not one per piece (a rebuild writes six per dataset)
        sa.text(f"""INSERT INTO {PIECE} (package_id, profile, format, generation, body)
            SELECT :id, u.profile, u.format, :generation, u.body
            FROM unnest(CAST(:profiles AS text[]), CAST(:formats AS text[]), CAST(:bodies AS text[]))
                AS u(profile, format, body)
            ON CONFLICT (package_id, profile, format)
            DO UPDATE SET generation = EXCLUDED.generation, body = EXCLUDED.body"""),
        {
            "id": package_id,
            "generation": generation(),
            "profiles": [profile for profile, _fmt in pieces],
            "formats": [fmt for _profile, fmt in pieces],
            "bodies": list(pieces.values()),
        },
    )  # fmt: skip


def index_hook(document: dict[str, Any]) -> None:
    """``before_dataset_index``: store the dataset's RDF in the transaction that changes it."""
    if not available():
        return
    dataset_dict = json.loads(document["validated_data_dict"])
    store(model.Session.connection(), dataset_dict)


def dataset_left(package_id: str) -> None:
    """``after_dataset_delete``: the dataset leaves the catalogue now (deleted datasets are not indexed)."""
    if not available():
        return
    model.Session.execute(
        sa.text(f"UPDATE {RECORD} SET changed = :now, stale = false WHERE package_id = :id AND public"),
        {"id": package_id, "now": utcnow()},
    )
    model.Session.execute(sa.text(f"UPDATE {RECORD} SET public = false WHERE package_id = :id"), {"id": package_id})
    model.Session.execute(sa.text(f"DELETE FROM {PIECE} WHERE package_id = :id"), {"id": package_id})


def organization_changed(organization_id: str) -> None:
    """``IOrganizationController.edit/delete``: its datasets' RDF names it, so they change now."""
    if not available():
        return
    model.Session.execute(
        sa.text(f"UPDATE {RECORD} SET stale = true, changed = :now WHERE owner_org = :org AND public"),
        {"org": organization_id, "now": utcnow()},
    )


# --------------------------------------------------------------------------------------- reading
def catalogue_modified() -> datetime.datetime | None:
    """When the public catalogue last changed: a dataset's edit, or a dataset leaving or renamed around it."""
    return model.Session.execute(
        sa.text(f"SELECT GREATEST((SELECT max(p.metadata_modified) FROM package p WHERE {PUBLIC}), "
                f"(SELECT max(changed) FROM {RECORD}))")
    ).scalar()  # fmt: skip


def fresh_pieces(package_ids: Iterable[str], profile: str, fmt: str) -> dict[str, tuple[str, str]]:
    """``{package id: (dataset URI, piece)}`` of these datasets where public, rebuilding any out of date."""
    ids = list(package_ids)
    if not ids:
        return {}
    return fresh_pieces_where("p.id = ANY(:ids)", {"ids": ids}, profile, fmt)


def fresh_pieces_where(
    condition: str, parameters: dict[str, Any], profile: str, fmt: str
) -> dict[str, tuple[str, str]]:
    """``{package id: (dataset URI, piece)}`` of the public datasets matching ``condition`` (SQL over
    ``package p``), rebuilding (and storing) any out of date."""
    return {row.id: (row.uri, row.body) for row in fresh_rows(condition, parameters, profile, fmt)}


def fresh_rows(condition: str, parameters: dict[str, Any], profile: str, fmt: str) -> list[Any]:
    """The public datasets matching ``condition`` (SQL over ``package p``) in catalogue order (newest
    change first, then by id) as rows ``id, stamp, uri, body``, any piece out of date rebuilt (and
    stored) first; a dataset whose piece cannot be made (no longer public) is left out."""
    query = sa.text(
        f"""SELECT p.id, {STAMP} AS stamp, r.uri, pc.body,
                (pc.body IS NULL OR r.stale OR pc.generation <> :generation
                 OR r.source_modified <> p.metadata_modified) AS outdated
        FROM package p
        LEFT JOIN {RECORD} r ON r.package_id = p.id
        LEFT JOIN {PIECE} pc ON pc.package_id = p.id AND pc.profile = :profile AND pc.format = :format
        WHERE ({condition}) AND {PUBLIC} ORDER BY p.metadata_modified DESC, p.id"""
    )
    parameters = {**parameters, "profile": profile, "format": fmt, "generation": generation()}
    rows = model.Session.execute(query, parameters).all()
    outdated = [row.id for row in rows if row.outdated]
    if not outdated:
        return rows
    rebuild(outdated)
    return [row for row in model.Session.execute(query, parameters).all() if row.body]


def _shown(package_id: str) -> dict[str, Any]:
    """``package_show`` with the organization as it is now.

    ``package_show`` answers from the search index while the dataset's ``metadata_modified`` is
    unchanged, and renaming an organization does not reindex its datasets; the cached copy (which
    keeps ckanext-dataset-series' navigation) gets the current organization.
    """
    dataset_dict = tk.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
    organization = dataset_dict.get("organization")
    if organization:
        current = tk.get_action("organization_show")(
            {"ignore_auth": True}, {"id": organization["id"], "include_datasets": False, "include_users": False}
        )
        dataset_dict["organization"] = {key: current.get(key, value) for key, value in organization.items()}
    return dataset_dict


def rebuild(package_ids: Iterable[str]) -> None:
    """Build the pieces of these datasets from ``package_show`` and store them, committed at once.

    In the order of their ids, as ``search-index rebuild`` indexes them: a page rebuilding pieces
    while the index is rebuilt locks the same records in the same order (a different order
    deadlocked).
    """
    with model.meta.engine.begin() as connection:
        for package_id in sorted(package_ids):
            try:
                dataset_dict = _shown(package_id)
            except tk.ObjectNotFound:
                continue
            store(connection, dataset_dict, changed=False)
