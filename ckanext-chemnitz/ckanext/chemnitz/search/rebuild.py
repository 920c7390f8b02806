"""``ckan search-index rebuild``/``clear`` for the PostgreSQL backend: same options, a progress bar.

CKAN's own ``rebuild`` commits once at the very end; here the work is committed in batches, so an
interrupted rebuild of a large catalogue keeps what it has done and a rerun simply continues.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Collection

import ckan.logic as logic
import ckan.model as model
import click
from ckan.common import config
from ckan.lib.search import index_for, query_for, text_traceback
from ckan.types import Context

log = logging.getLogger(__name__)

BATCH_SIZE = 200


def rebuild(
    package_id: str | None = None,
    only_missing: bool = False,
    force: bool = False,
    defer_commit: bool = False,
    package_ids: Collection[str] | None = None,
    quiet: bool = False,
    clear: bool = False,
) -> None:
    """Re-index one dataset, the given datasets, or all of them (see ``ckan.lib.search.rebuild``)."""
    context: Context = {"ignore_auth": True}
    if package_id:
        logic.index_update_package(context, package_id)
        model.Session.commit()
        return
    if package_ids is None:
        package_ids = _all_dataset_ids()
        if only_missing:
            indexed = set(query_for(model.Package).get_all_entity_ids(max_results=len(package_ids)))
            package_ids = [i for i in package_ids if i not in indexed]
            if not package_ids:
                log.info("All datasets are already indexed")
                return
        elif clear:
            index_for(model.Package).clear()
    _index(list(package_ids), context, force, quiet)
    log.info("Finished rebuilding the search index.")


def clear(package_reference: str) -> None:
    """Remove one dataset from the index and commit, as ``ckan search-index clear NAME`` expects."""
    index_for(model.Package).delete_package({"id": package_reference})
    model.Session.commit()


def _all_dataset_ids() -> list[str]:
    query = model.Session.query(model.Package.id)
    if config.get("ckan.search.remove_deleted_packages"):
        query = query.filter(model.Package.state != "deleted")
    return [row[0] for row in query.order_by(model.Package.id)]


def _index(ids: list[str], context: Context, force: bool, quiet: bool) -> None:
    bar = click.progressbar(ids, label="Indexing datasets", show_pos=True, show_eta=True)
    with contextlib.nullcontext(ids) if quiet else bar as datasets:
        for number, dataset_id in enumerate(datasets, start=1):
            try:
                logic.index_update_package(context, dataset_id, True)
            except Exception as error:
                model.Session.rollback()
                log.error("Error while indexing dataset %s: %r", dataset_id, error)
                if not force:
                    raise
                log.error(text_traceback())
            if number % BATCH_SIZE == 0:
                model.Session.commit()
    model.Session.commit()
