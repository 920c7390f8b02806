"""A request that fails while PostgreSQL is away leaves no broken database session behind.

CKAN disposes of its scoped session after each request (``ckan_after_request``), but after-request
functions do not run when the error page itself fails. That is what happens when PostgreSQL restarts
during a flush: the session keeps the failed transaction, rendering the error page needs the
database again, and the exception escapes Flask. The worker then kept the broken session, and every
later request it served failed in CKAN's ``before_request`` with ``PendingRollbackError`` (HTTP 500,
found by ``tests/pipelines/test_restarts.py``). Flask's teardown runs after every request however it
ended, so the session is disposed of there too.
"""

from __future__ import annotations

import ckan.model as model
from flask import Flask


def install(app: Flask) -> Flask:
    @app.teardown_request
    def dispose_of_the_session(error: BaseException | None) -> None:
        model.Session.remove()

    return app
