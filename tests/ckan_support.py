"""Fixtures for the tests that run inside the CKAN environment (loaded by ``tests/conftest.py``)."""

from __future__ import annotations

import functools
import logging
import logging.config

import pytest
from lxml import html

# The portal's CKAN plugins as the suites load them (the demo adds datastore, structured_data, activity).
PORTAL_PLUGINS = "chemnitz_search chemnitz scheming_datasets dataset_series dcat"


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
