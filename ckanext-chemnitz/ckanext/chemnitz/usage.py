"""How often each dataset is used, for "most used datasets" on the home page.

A use is a successful view of the dataset's page, one of its resources' pages, or a download
through the portal. Counted per dataset in Redis (a sorted set per site); no cookie, no IP address
and nothing about the visitor is stored, so the count needs no consent (see the privacy page).
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from flask import Flask, Response, request
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# ckanext-dcat answers /dataset/<id> itself (content negotiation), with ``_id``.
COUNTED = frozenset({"dataset.read", "dcat.read_dataset", "resource.read", "resource.download"})


def _key() -> str:
    return f"{tk.config.get('ckan.site_id')}:chemnitz:dataset-usage"


def count(response: Response) -> Response:
    """``after_request``: one use of the dataset the request showed, if it was shown."""
    if request.method == "GET" and response.status_code == 200 and request.endpoint in COUNTED:
        # Pages are addressed by name or id: count by id, which also survives a rename.
        arguments = request.view_args or {}
        dataset = model.Package.get(arguments.get("id") or arguments.get("_id") or "")
        if dataset is not None:
            try:
                connect_to_redis().zincrby(_key(), 1, dataset.id)
            except RedisError as error:  # the page was served; only this use goes uncounted
                log.warning("Use of dataset %s not counted, Redis unavailable: %s", dataset.id, error)
    return response


def install(app: Flask) -> Flask:
    app.after_request(count)
    return app


def most_used(limit: int = 5) -> list[dict[str, Any]]:
    """The most used datasets the visitor may see (one search; private ones drop out), with their uses."""
    try:
        top = connect_to_redis().zrevrange(_key(), 0, 3 * limit, withscores=True)
    except RedisError as error:
        log.warning("Most used datasets unknown, Redis unavailable: %s", error)
        return []
    ranked = {key.decode(): int(uses) for key, uses in top}
    if not ranked:
        return []
    found = tk.get_action("package_search")(
        {"user": tk.current_user.name}, {"fq": "id:({})".format(" OR ".join(ranked)), "rows": len(ranked)}
    )["results"]
    ordered = sorted(found, key=lambda dataset: -ranked[dataset["id"]])[:limit]
    return [dict(dataset, uses=ranked[dataset["id"]]) for dataset in ordered]


def reset() -> None:
    connect_to_redis().delete(_key())
