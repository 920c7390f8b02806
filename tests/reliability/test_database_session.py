"""A request that fails beyond its error page (PostgreSQL restarted during a flush, the error page
needing the database too) must not leave its database session to the next request of the worker:
CKAN disposed of it only after a response, so a worker kept failing with ``PendingRollbackError``
after a database restart (``tests/pipelines/test_restarts.py`` met such a worker)."""

from __future__ import annotations

import ckan.model as model
import pytest
import sqlalchemy as sa

from tests.ckan_support import PORTAL_PLUGINS

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.usefixtures("with_plugins"),
]


def test_a_request_failing_past_its_error_page_leaves_no_session_behind(app, monkeypatch):
    def failing_view(*args: object, **kwargs: object) -> None:
        model.Session.execute(sa.text("SELECT 1"))  # the request used the database, then failed
        raise RuntimeError("the database went away")

    monkeypatch.setitem(app.flask_app.view_functions, "api.action", failing_view)
    with pytest.raises(RuntimeError):  # the test app lets the failure through, as a failing error page does
        app.get("/api/3/action/status_show")
    assert not model.Session.registry.has()
