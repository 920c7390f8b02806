"""Nothing in the catalogue is modified before it was issued.

CKAN stamps a new resource's ``metadata_modified`` when it saves the resource's fields and its
``created`` a moment later, when the row is flushed (a column default). ckanext-dcat writes them as
the distribution's ``dct:modified`` and ``dct:issued``, so every resource never changed after its
creation said it was modified microseconds before it was issued (16 of 35 on ``make demo``).

The other way to get there is an editor's (or a source's) own ``modified`` date, earlier than the
day the dataset or file came to the portal, which is all ckanext-dcat knows to write as
``dct:issued`` when no issue date is given: then it was issued no later than that modification.
"""

from __future__ import annotations

import datetime

import rdflib
from ckan import model
from ckanext.dcat.profiles import DCT


def align_resource_dates(package: model.Package) -> None:
    """``IPackageController.create/edit``: a resource's creation is the first write of its metadata."""
    for resource in package.resources:
        if resource.created and resource.metadata_modified and resource.created > resource.metadata_modified:
            resource.created = resource.metadata_modified
    model.Session.flush()  # package_show, which follows, reads the rows


def _moment(literal: rdflib.term.Node) -> datetime.datetime | None:
    value = literal.toPython() if isinstance(literal, rdflib.Literal) else None
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time.min)
    return None


def issued_not_after_modified(graph: rdflib.Graph, subject: rdflib.term.Node) -> None:
    """Where ``dct:modified`` is earlier than ``dct:issued``, it was issued by then at the latest."""
    issued, modified = graph.value(subject, DCT.issued), graph.value(subject, DCT.modified)
    if issued is None or modified is None:
        return
    issued_at, modified_at = _moment(issued), _moment(modified)
    if issued_at and modified_at and modified_at < issued_at:
        graph.set((subject, DCT.issued, modified))
