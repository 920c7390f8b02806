"""CKAN on the scratch databases of ``make bench`` (``var/bench.ini``), loaded with the generated catalogue.

Every benchmark sets up the state it measures itself (``ensure_catalogue``, or a database of its
own), so the benchmarks run in any order and alone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.catalogue import generate

ROOT = Path(__file__).resolve().parents[1]
INI = ROOT / "var" / "bench.ini"  # written by scripts/ckan-config.sh bench


def load_app(plugins: str | None = None, ini: Path = INI, database: str | None = None) -> Any:
    """The CKAN WSGI application of ``ini`` (optionally with other plugins, or on another database of
    the same server), logging silenced."""
    import sqlalchemy as sa
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    config = load_config(str(ini))
    if plugins is not None:
        config["ckan.plugins"] = plugins
    if database is not None:
        url = sa.engine.make_url(config["sqlalchemy.url"]).set(database=database)
        config["sqlalchemy.url"] = url.render_as_string(hide_password=False)
    app = make_app(config)
    logging.disable(logging.WARNING)
    return app


def ensure_catalogue(count: int) -> bool:
    """The generated catalogue of ``count`` datasets and nothing else, loaded unless the scratch
    database holds exactly it (a benchmark before may have loaded another size, or added a dataset).
    Whether it was loaded now."""
    import ckan.model as model
    import sqlalchemy as sa

    _init_db()
    held = model.Session.execute(
        sa.text("SELECT count(*), count(*) FILTER (WHERE name LIKE 'datensatz-%') FROM package")
    ).one()
    if tuple(held) == (count, count):
        return False
    load_catalogue(count)
    return True


def load_catalogue(count: int) -> None:
    """Replace the catalogue of the scratch database with ``count`` generated datasets."""
    import ckan.model as model
    import sqlalchemy as sa

    _init_db()
    catalogue = generate(count)
    connection = model.Session.connection()
    for table in ("package_tag", "resource", "package", "tag", "member", '"group"'):
        connection.execute(sa.text(f"DELETE FROM {table}"))
    now = catalogue.packages[0]["metadata_modified"]
    connection.execute(
        model.group_table.insert(),
        [dict(o, type="organization", is_organization=True, state="active", approval_status="approved",
              created=now, description=f"{o['title']} der Stadt Chemnitz") for o in catalogue.organizations],
    )  # fmt: skip
    connection.execute(model.package_table.insert(), catalogue.packages)
    connection.execute(model.resource_table.insert(), catalogue.resources)
    connection.execute(model.tag_table.insert(), catalogue.tags)
    connection.execute(model.package_tag_table.insert(), catalogue.package_tags)
    model.Session.commit()


def _init_db() -> None:
    """CKAN's ``init_db``, the model left on the application's engine: CKAN's migration environment
    (``ckan/migration/env.py``) binds the model to an engine of its own without a connection pool,
    after which every request of the benchmark opened two new database connections (a page of the
    catalogue took 46 instead of 10 ms at load 2)."""
    import ckan.model as model

    engine = model.meta.engine
    model.repo.init_db()
    if model.meta.engine is not engine:
        model.init_model(engine)


def rebuild_index() -> float:
    """Seconds ``ckan search-index rebuild``'s code path takes over the whole catalogue (cleared
    first, as the command does without ``-r``: the scratch catalogue was replaced underneath)."""
    import ckan.lib.search as search

    started = time.perf_counter()
    search.rebuild(quiet=True, clear=True)
    seconds = time.perf_counter() - started
    _vacuum_index()
    return seconds


def _vacuum_index() -> None:
    """Reclaim the rows earlier loads of the scratch catalogue left dead (as autovacuum would, later):
    measured queries must not scan millions of dead index rows."""
    import ckan.model as model
    import sqlalchemy as sa

    with model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("package_index", "package_term", "package_text", "package_document"):
            connection.execute(sa.text(f"VACUUM ANALYZE chemnitz_search.{table}"))


def timed(factory: Callable[[], Callable[[], Any]], repeat: int, warm_up: int | None = None) -> list[float]:
    """Milliseconds of ``repeat`` calls, each made by ``factory``, after some untimed warm-up calls."""
    for _ in range(max(5, repeat // 10) if warm_up is None else warm_up):
        factory()()
    samples = []
    for _ in range(repeat):
        call = factory()
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
