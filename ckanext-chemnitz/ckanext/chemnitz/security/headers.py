"""Security headers on every answer of the portal (BSI IT-Grundschutz APP.3.1, OWASP secure headers).

The Content Security Policy allows scripts from the portal only (data for scripts travels in
``<script type="application/json">``), so an injected ``<script>`` or event attribute does not run
even if escaping failed somewhere. The CKAN and ckanext-scheming templates the portal renders with
inline handlers (``onclick``, ``javascript:`` links, htmx's ``hx-on``) have copies in
``templates/`` whose buttons ``assets/forms/buttons.js`` drives instead. Styles
keep ``'unsafe-inline'`` because CKAN's templates use style attributes. Map tiles are the one
outside origin, taken from ``ckanext.chemnitz.map.tile_url``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
from flask import Flask, Response


def tile_origin(tile_url: str) -> str:
    """The origin of a Leaflet tile URL template, ``{s}`` subdomains as a wildcard ('' if none)."""
    parts = urlsplit(tile_url.replace("{s}.", "*."))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def content_security_policy(tile_url: str) -> str:
    images = " ".join(filter(None, ["'self'", "data:", tile_origin(tile_url)]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            # Map previews read GeoJSON resources that may live on other servers.
            "connect-src 'self' https:",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


def install(app: Flask) -> Flask:
    policy = content_security_policy(tk.config.get("ckanext.chemnitz.map.tile_url") or "")

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        return response

    return app
