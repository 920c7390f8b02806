"""Who a request comes from: the address limits count, and the proxy whose word on it is trusted.

Behind the docker deployment's nginx every request comes from the proxy's address; nginx appends
the address it saw to ``X-Forwarded-For``. With ``ckanext.chemnitz.limits.trusted_proxies`` set
to the number of proxies in front of CKAN, werkzeug's ProxyFix takes the address from that many
entries at the end of the header (earlier entries are the client's own claim); with 0 (no proxy,
as in ``make demo``) the header is ignored, so a forged one cannot dodge a limit.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxies(app: Flask) -> Flask:
    proxies = tk.config.get("ckanext.chemnitz.limits.trusted_proxies")
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    return app


def address() -> str:
    return request.remote_addr or "unknown"
