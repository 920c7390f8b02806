"""Fixtures for the tests that run inside the CKAN environment (loaded by ``tests/conftest.py``)."""

from __future__ import annotations

import copy
import functools
import inspect
import io
import logging
import logging.config
import os
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from tests.ckan_loaded_site import loads_of_the_previous_test, plugin_loads_counted, plugins_loaded, web_app  # noqa: F401

# The portal's CKAN plugins as the suites load them (the demo adds datastore, structured_data, activity).
PORTAL_PLUGINS = "chemnitz_search chemnitz scheming_datasets dataset_series dcat"


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (``-n 2``) every worker runs on a site of its own: ``--ckan-ini=var/test.ini``
    becomes ``var/test-gw0.ini``, ``var/test-gw1.ini``, ... — copies of the test databases (CKAN with its
    search index, DataStore), a Redis database and a storage folder per worker, written by
    ``scripts/ckan-config.sh test``. CKAN's plugin reads the option when the session starts."""
    ini = config.getoption("ckan_ini", None)
    if not ini:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    # The controlling process checks them all before it starts a worker (-n N: gw0 ... gwN-1).
    workers = [worker] if worker else [f"gw{n}" for n in range(config.getoption("numprocesses", None) or 0)]
    own = {name: Path(ini).with_name(f"{Path(ini).stem}-{name}{Path(ini).suffix}") for name in workers}
    missing = [str(path) for path in own.values() if not path.is_file()]
    if missing:
        raise pytest.UsageError(
            f"Missing {', '.join(missing)}: each pytest-xdist worker needs a configuration of its own. "
            "Run scripts/ckan-config.sh test (TEST_WORKERS=<n> in the environment for more than 2 workers)."
        )
    if worker:
        config.option.ckan_ini = str(own[worker])


@pytest.fixture(scope="session", autouse=True)
def plugin_files_read_once() -> Iterator[None]:
    """Every test loads its plugins afresh (``with_plugins``, ``app``), and every load parsed the same YAML
    files again — the config declarations of CKAN and each plugin, scheming's schemas, the webassets —
    and searched all installed packages for each plugin's entry point: a third of most tests' time.
    Neither changes during a run. A YAML text is parsed once and each caller gets a deep copy of the
    result, as from a fresh parse (texts that do not parse still raise, each time); entry points are
    looked up once per plugin name. CKAN's ~600 core config declarations (``config_declaration.yaml``,
    rebuilt into option objects on every load) are built once too; each load gets a deep copy. Two
    more costs of every test that need not be paid in each: see the comments at the patches below."""
    import ckan.model.user as ckan_user
    import ckan.plugins.core as plugins_core
    import ckan.plugins.toolkit as toolkit
    import yaml
    from ckan.config.declaration import load as declaration_load

    parse, find = yaml.load, plugins_core.entry_points
    safe = {yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)}
    parsed: dict[tuple[Any, str | bytes], Any] = {}
    found: dict[tuple[tuple[str, Any], ...], Any] = {}

    def load(stream: Any, Loader: Any) -> Any:
        if Loader not in safe:
            return parse(stream, Loader)
        text = stream.read() if hasattr(stream, "read") else stream
        key = (Loader, text)
        if key not in parsed:
            if hasattr(stream, "read"):  # the file's name stays in parse errors
                named = io.BytesIO(text) if isinstance(text, bytes) else io.StringIO(text)
                named.name = getattr(stream, "name", "<file>")
                parsed[key] = parse(named, Loader)
            else:
                parsed[key] = parse(text, Loader)
        return copy.deepcopy(parsed[key])

    def entry_points(**selection: Any) -> Any:
        key = tuple(sorted(selection.items()))
        if key not in found:
            found[key] = find(**selection)
        return found[key]

    load_core = declaration_load.handler._types["core"]
    core: list[tuple[list[Any], dict[Any, Any]]] = []

    def copied(options: dict[Any, Any]) -> dict[Any, Any]:
        """Options copied (plugins may change them), their keys shared (immutable, not copyable)."""
        return {key: copy.deepcopy(option) for key, option in options.items()}

    def core_built_once(declaration: Any) -> None:
        if not core:
            load_core(declaration)  # on a fresh declaration: everything in it is core
            core.append((list(declaration._members), copied(declaration._options)))
            return
        members, options = core[0]
        declaration._members.extend(members)
        declaration._options.update(copied(options))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yaml, "load", load)
        patch.setattr(plugins_core, "entry_points", entry_points)
        patch.setitem(declaration_load.handler._types, "core", core_built_once)
        patch.setattr(inspect, "stack", _stack_without_source_for(toolkit.__file__))
        # Every factories.User hashes its password with passlib's 25,000 PBKDF2 rounds (~40 ms, a few
        # users per test). The tests check who may do what, not the hash's strength: 1,000 rounds,
        # the same scheme (a stored hash names its rounds, so logging in verifies as in production).
        patch.setattr(ckan_user, "pbkdf2_sha512", ckan_user.pbkdf2_sha512.using(rounds=1000))
        yield


def _stack_without_source_for(toolkit: str) -> Callable[[int], list[inspect.FrameInfo]]:
    """CKAN's toolkit finds the file of the plugin that calls ``add_template_directory``,
    ``add_public_directory`` or ``add_resource`` as ``inspect.stack()[n].filename``, which reads the
    source lines of every frame of pytest's deep stack (searching ``sys.modules`` for each) to use one
    file name: half of every plugin load, several loads per test. Called from the toolkit, the frames
    come with their file names and no source lines; any other caller gets ``inspect.stack``'s answer."""

    def stack(context: int = 1) -> list[inspect.FrameInfo]:
        caller = sys._getframe(1)
        if caller.f_code.co_filename != toolkit:
            return inspect.getouterframes(caller, context)
        frames = []
        frame: types.FrameType | None = caller
        while frame is not None:
            code = frame.f_code
            frames.append(inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None))
            frame = frame.f_back
        return frames

    return stack


@pytest.fixture
def clean_db_with_plugin_tables(clean_db, migrate_db_for):
    """``clean_db`` plus the tables of plugins with their own migrations (``activity``).

    CKAN's ``clean_db`` recreates only core tables; plugins' migrations must be applied again.
    """
    migrate_db_for("activity")


@pytest.fixture(autouse=True)
def clean_abuse_limits(reset_redis):
    """Each test starts with no counted logins, feedback posts or SQL queries (ckanext/chemnitz/limits):
    the suite posts forms from one address far more often than the limits allow a visitor."""
    reset_redis("*:chemnitz:limits:*")


@pytest.fixture(autouse=True)
def extension_logs_reach_caplog(monkeypatch: pytest.MonkeyPatch) -> None:
    """The extension's log lines reach ``caplog`` in every test. A plugin's migrations (``activity``'s
    run by ``clean_db_with_plugin_tables``) apply their ``alembic.ini`` logging with ``fileConfig``,
    which disables every logger that existed before: after the first such test, the tests that read
    the log saw nothing in a full run."""
    monkeypatch.setattr(logging.config, "fileConfig", functools.partial(logging.config.fileConfig,
                                                                         disable_existing_loggers=False))  # fmt: skip
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if name.startswith("ckanext.chemnitz") and isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "disabled", False)


@pytest.fixture
def clean_feedback_db(clean_db, migrate_db_for):
    """``clean_db`` plus the extension's own table (accessibility feedback), from its migration, empty."""
    import ckan.model as model
    import sqlalchemy as sa

    migrate_db_for("chemnitz")
    model.Session.execute(sa.text("DELETE FROM chemnitz_accessibility_feedback"))
    model.Session.commit()


@pytest.fixture
def clean_datastore(clean_db, clean_index):
    """No DataStore tables, as CKAN's own DataStore tests start (their fixture is not loaded here)."""
    import ckanext.datastore.backend.postgres as datastore
    from ckanext.datastore.tests.helpers import rebuild_all_dbs
    from sqlalchemy import orm

    rebuild_all_dbs(orm.scoped_session(orm.sessionmaker(bind=datastore.get_write_engine())))


def csrf_token(app, path: str) -> str:
    """The CSRF token of the form on ``path`` (CKAN's test client keeps the session cookie)."""
    return html.fromstring(app.get(path, status=200).body).xpath("//input[@name='_csrf_token']/@value")[0]
