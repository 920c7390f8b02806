"""Where each page of the public catalogue starts, kept per process until the catalogue changes.

A page of the public catalogue (no ``q``, ``fq`` or ``modified_since``) lists the public datasets
in the order of ckanext-dcat (newest ``metadata_modified`` first, then by id). Asked by number with
``OFFSET``, and with the count of the catalogue for the paging, every page read one index entry
per public dataset before it (at 100,000 datasets the last page's query took 54 ms, docs/dcat.md).
Here the first key of every page (``metadata_modified``, ``id``) and the count are read once, in
one pass over the public catalogue's index, and kept until the catalogue's last change
(``store.catalogue_modified``, the time a page's ``Last-Modified`` says) moves; a page is then
the range of the index between its first key and the next page's, about ``rows`` entries.

The page's datasets are always read live from that range: a dataset edited, made private or
deleted in the meantime shows as it is now or not at all. Kept keys only decide where a page
starts; if a change committed with an earlier ``metadata_modified`` than the last change seen
(two edits committed in the other order), a page may hold a dataset more or less than ``rows``
until the next change, but no dataset is left out or shown twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.chemnitz.dcat import store

# A page's range of the index (metadata_modified DESC, id): the first condition bounds the scan.
FROM_KEY = "p.metadata_modified <= :from_time AND (p.metadata_modified < :from_time OR p.id >= :from_id)"
BEFORE_KEY = "p.metadata_modified >= :to_time AND (p.metadata_modified > :to_time OR p.id < :to_id)"


@dataclass(frozen=True)
class Boundaries:
    """The first key of every page, and how many datasets the public catalogue holds."""

    starts: list[tuple[datetime.datetime, str]]
    count: int


_kept: dict[tuple[Any, ...], Boundaries] = {}


def boundaries(rows: int, last_change: datetime.datetime | None) -> Boundaries:
    """The pages' first keys as of ``last_change`` (read again once it moves)."""
    key = (rows, last_change)
    if key not in _kept:
        found = model.Session.execute(  # one pass over the index; the last row gives the count
            sa.text(f"""SELECT metadata_modified, id, position FROM (
                    SELECT p.metadata_modified, p.id, row_number() OVER w - 1 AS position,
                        lead(p.id) OVER w IS NULL AS last
                    FROM package p WHERE {store.PUBLIC} WINDOW w AS (ORDER BY p.metadata_modified DESC, p.id)
                ) ordered WHERE position % :rows = 0 OR last ORDER BY position"""),
            {"rows": rows},
        ).all()  # fmt: skip
        starts = [(row.metadata_modified, row.id) for row in found if row.position % rows == 0]
        _kept.clear()  # the pages of an earlier state are never asked for again
        _kept[key] = Boundaries(starts, found[-1].position + 1 if found else 0)
    return _kept[key]


def _range(number: int, rows: int, last_change: datetime.datetime | None) -> tuple[str, dict[str, Any]] | None:
    """SQL over ``package p`` selecting page ``number``'s range of the public index, or None past the last page."""
    kept = boundaries(rows, last_change)
    if number > len(kept.starts):
        return None
    conditions = [store.PUBLIC]
    parameters: dict[str, Any] = {}
    if number > 1:  # from this page's first key on (the first page also shows datasets new since)
        conditions.append(FROM_KEY)
        parameters["from_time"], parameters["from_id"] = kept.starts[number - 1]
    if number < len(kept.starts):  # up to the next page's first key
        conditions.append(BEFORE_KEY)
        parameters["to_time"], parameters["to_id"] = kept.starts[number]
    return " AND ".join(conditions), parameters


def page(
    number: int, rows: int, last_change: datetime.datetime | None, pieces_of: tuple[str, str] | None = None
) -> tuple[list[Any], int, dict[str, tuple[str, str]] | None]:
    """Page ``number``'s public datasets ``(id, stamp)`` in catalogue order, the catalogue's count and,
    with ``pieces_of`` (profile, format), their pieces read in the same query (else None): a page sent
    whole needs one round trip; a conditional request reads no piece before it knows it is not
    answered 304."""
    found = _range(number, rows, last_change)
    count = boundaries(rows, last_change).count
    if found is None:
        return [], count, None if pieces_of is None else {}
    condition, parameters = found
    if pieces_of is not None:
        read = store.fresh_rows(condition, parameters, *pieces_of)
        return [(row.id, row.stamp) for row in read], count, {row.id: (row.uri, row.body) for row in read}
    listed = model.Session.execute(
        sa.text(f"""SELECT p.id, {store.STAMP} AS stamp FROM package p
            LEFT JOIN {store.RECORD} r ON r.package_id = p.id
            WHERE {condition} ORDER BY p.metadata_modified DESC, p.id"""),
        parameters,
    ).all()  # fmt: skip
    return [(row.id, row.stamp) for row in listed], count, None


def pieces(
    number: int, rows: int, last_change: datetime.datetime | None, listed: list[str], profile: str, fmt: str
) -> dict[str, tuple[str, str]]:
    """The pieces of page ``number``'s ``listed`` datasets (``store.fresh_pieces``), read along the
    page's range of the index like the page itself.

    Asked by id, PostgreSQL joined a page's 100 datasets by hashing all public datasets' index
    entries or records, a cost growing with the catalogue. A listed dataset no longer in the range
    (edited since it was listed) is looked up by id.
    """
    found = _range(number, rows, last_change)
    if found is None or not listed:
        return {}
    read = store.fresh_pieces_where(found[0], found[1], profile, fmt)
    moved = [id_ for id_ in listed if id_ not in read]
    return {**read, **store.fresh_pieces(moved, profile, fmt)}
