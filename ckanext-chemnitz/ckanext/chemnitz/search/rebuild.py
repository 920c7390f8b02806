"""``ckan search-index rebuild``/``clear``/``check`` for the PostgreSQL backend: same options, a progress bar.

CKAN's own ``rebuild`` indexes one dataset after the other and commits once at the very end. Here
a full rebuild runs in one worker process per CPU core, each committing in batches, so a large
catalogue is re-indexed several times faster and an interrupted rebuild keeps what it has done.
Each dataset is dictized once and validated once per distinct schema (CKAN's helper validates
twice even when the dataset type has no schema of its own).

``check`` reports every kind of divergence between the catalogue and the index (CKAN's reports
only datasets missing from it): entries of datasets that no longer exist, which search would still
show, and entries older than their dataset. A full ``rebuild`` repairs all three.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
from collections.abc import Callable, Collection, Iterator
from typing import Any

import ckan.lib.plugins as lib_plugins
import ckan.logic as logic
import ckan.model as model
import click
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.search import index_for, query_for, text_traceback
from ckan.lib.search.common import SearchIndexError
from ckan.logic.schema import default_show_package_schema
from ckan.types import Context

from ckanext.chemnitz.search import tables

log = logging.getLogger(__name__)

BATCH_SIZE = 200
# Below this many datasets, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 400


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
    if package_id:
        logic.index_update_package({"ignore_auth": True}, package_id)
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
        else:
            for orphan in _divergence()["orphaned"]:
                index_for(model.Package).delete_package({"id": orphan})
    ids = list(package_ids)
    workers = min(_worker_count(), max(1, len(ids) // (PARALLEL_THRESHOLD // 2)))
    with _progress(len(ids), quiet) as advance:
        if workers > 1:
            _index_in_workers(ids, workers, force, advance)
        else:
            _index_batch(ids, force, advance)
    index_for(model.Package).commit()
    for table in (tables.TABLE, tables.TEXT_TABLE, tables.TERM_TABLE, tables.DOCUMENT_TABLE):
        model.Session.execute(sa.text(f"ANALYZE {table}"))  # fresh statistics for the planner
    model.Session.commit()
    log.info("Finished rebuilding the search index.")


def clear(package_reference: str) -> None:
    """Remove one dataset from the index and commit, as ``ckan search-index clear NAME`` expects."""
    index_for(model.Package).delete_package({"id": package_reference})
    model.Session.commit()


_DIVERGENCE = {
    # Datasets without an index entry: active ones and drafts, which CKAN indexes too (as
    # `search-index list-unindexed` counts them; CKAN's own check looks at active ones only).
    "missing": f"""SELECT p.name FROM package p WHERE p.state IN ('active', 'draft') AND NOT EXISTS
                   (SELECT 1 FROM {tables.TABLE} i WHERE i.site_id = :site AND i.id = p.id) ORDER BY p.name""",
    # Index entries whose dataset is gone from the database (purged, or a restore from before it).
    "orphaned": f"""SELECT i.id FROM {tables.TABLE} i WHERE i.site_id = :site AND NOT EXISTS
                    (SELECT 1 FROM package p WHERE p.id = i.id) ORDER BY i.id""",
    # Index entries of an older version of their dataset (changed without re-indexing). The index
    # keeps Solr's millisecond precision; the package table's naive timestamps are UTC.
    "outdated": f"""SELECT p.name FROM {tables.TABLE} i JOIN package p ON p.id = i.id WHERE i.site_id = :site
                    AND i.metadata_modified IS DISTINCT FROM
                        date_trunc('milliseconds', p.metadata_modified) AT TIME ZONE 'UTC'
                    ORDER BY p.name""",
}


def _divergence() -> dict[str, list[str]]:
    site = {"site": config.get("ckan.site_id")}
    return {kind: [row[0] for row in model.Session.execute(sa.text(sql), site)] for kind, sql in _DIVERGENCE.items()}


def check() -> None:
    """``ckan search-index check``: what the index lacks, holds without a dataset, or holds outdated."""
    found = _divergence()
    indexable = model.Session.query(model.Package).filter(model.Package.state.in_(("active", "draft"))).count()
    click.echo(f"Packages not indexed = {len(found['missing'])} out of {indexable}")
    click.echo(f"Index entries without a dataset = {len(found['orphaned'])}")
    click.echo(f"Index entries older than their dataset = {len(found['outdated'])}")
    for kind, references in found.items():
        for reference in references:
            click.echo(f"  {kind}: {reference}")
    if any(found.values()):
        click.echo("Repair: ckan search-index rebuild (or --only-missing for missing entries alone)")


def _worker_count() -> int:
    configured = config.get("ckanext.chemnitz.search.rebuild_workers")
    return int(configured) if configured else (os.cpu_count() or 1)


def _all_dataset_ids() -> list[str]:
    query = model.Session.query(model.Package.id)
    if config.get("ckan.search.remove_deleted_packages"):
        query = query.filter(model.Package.state != "deleted")
    return [row[0] for row in query.order_by(model.Package.id)]


@contextlib.contextmanager
def _progress(total: int, quiet: bool) -> Iterator[Callable[[int], Any]]:
    if quiet:
        yield lambda _done: None
        return
    with click.progressbar(length=total, label="Indexing datasets", show_pos=True, show_eta=True) as bar:
        yield bar.update


def _index_batch(ids: list[str], force: bool, advance: Any) -> None:
    """Index ``ids`` in this process, committing every ``BATCH_SIZE`` datasets."""
    context: Context = {"ignore_auth": True}
    for number, dataset_id in enumerate(ids, start=1):
        try:
            # Held while the dataset is indexed: the session forgets a loaded dataset nobody refers
            # to, and the index document asks for it again (one query per dataset saved).
            package = model.Package.get(dataset_id)
            logic.index_update_package_dicts(_dicts_for_index(context, dataset_id), True)
            del package
        except Exception as error:
            model.Session.rollback()
            log.error("Error while indexing dataset %s: %r", dataset_id, error)
            if not force:
                raise
            log.error(text_traceback())
        advance(1)
        if number % BATCH_SIZE == 0:
            model.Session.commit()
    model.Session.commit()


def _dicts_for_index(context: Context, dataset_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The dataset with CKAN's default and its type's show schema applied, as the index needs it."""
    show_context = logic.fresh_context(context, ignore_auth=True, use_cache=False, validate=False)
    dictized = logic.get_action("package_show")(show_context, {"id": dataset_id})
    with_default, _errors = lib_plugins.plugin_validate(
        object(), show_context, dictized, default_show_package_schema(), "package_show"
    )
    plugin = lib_plugins.lookup_package_plugin(dictized["type"])
    if type(plugin) is lib_plugins.DefaultDatasetForm:
        with_custom = with_default
    else:
        with_custom, _errors = lib_plugins.plugin_validate(
            plugin, show_context, dictized, plugin.show_package_schema(), "package_show"
        )
    logic.apply_after_dataset_show_plugins(show_context, with_custom)
    return with_default, with_custom


def _index_in_workers(ids: list[str], workers: int, force: bool, advance: Any) -> None:
    """Split ``ids`` over forked worker processes, each with its own database connections."""
    model.Session.remove()
    model.meta.engine.dispose()
    processes = multiprocessing.get_context("fork")
    messages = processes.Queue()
    started = [
        processes.Process(target=_worker, args=(ids[number::workers], force, messages), daemon=True)
        for number in range(workers)
    ]
    for process in started:
        process.start()
    failures: list[str] = []
    while any(process.is_alive() for process in started) or not messages.empty():
        try:
            kind, value = messages.get(timeout=0.5)
        except queue.Empty:
            continue
        if kind == "done":
            advance(value)
        else:
            failures.append(value)
    for process in started:
        process.join()
    if any(process.exitcode for process in started) and not force:
        reasons = "; ".join(failures or ["a worker process died"])
        raise SearchIndexError(f"Rebuilding the search index failed: {reasons}")


def _worker(ids: list[str], force: bool, messages: Any) -> None:
    model.Session.remove()
    model.meta.engine.dispose(close=False)
    pending = 0

    def advance(done: int) -> None:
        nonlocal pending
        pending += done
        if pending >= 25:
            messages.put(("done", pending))
            pending = 0

    try:
        _index_batch(ids, force, advance)
    except Exception as error:
        messages.put(("error", repr(error)))
        raise SystemExit(1) from error
    finally:
        if pending:
            messages.put(("done", pending))
