"""Security headers on every answer of the portal (BSI IT-Grundschutz APP.3.1, OWASP secure headers).

The Content Security Policy allows scripts from the portal only (data for scripts travels in
``<script type="application/json">``), so an injected ``<script>`` or event attribute does not run
even if escaping failed somewhere. The CKAN and ckanext-scheming templates the portal renders with
inline handlers (``onclick``, ``javascript:`` links, htmx's ``hx-on``) have copies in
``templates/`` whose buttons ``assets/forms/buttons.js`` drives instead. Styles
keep ``'unsafe-inline'`` because CKAN's templates use style attributes. The hosts of the configured
map layers (``ckanext.chemnitz.map.*``: basemap.de, GeoSN's aerial photographs, or the OpenStreetMap
fallback; ``spatial/basemaps.py``, handed in by the plugin) are the only outside origins images may come from.
"""

from __future__ import annotations

from flask import Flask, Response


def content_security_policy(map_origins: list[str]) -> str:
    images = " ".join(["'self'", "data:", *map_origins])
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


def install(app: Flask, map_origins: list[str]) -> Flask:
    policy = content_security_policy(map_origins)

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        return response

    return app
