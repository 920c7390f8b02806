"""A download address names a file, as it does on a file server: GDAL finds the files beside it.

CKAN serves a resource's upload under any name (``…/resource/<id>/download/<any name>``). GDAL and
QGIS opening ``…/download/data.csv`` over HTTP look for ``…/download/data.csvt`` (the column types
the pipelines publish beside every CSV) and were given the CSV itself again: a warning per column
and untyped columns. Now a name that is another upload of the same dataset leads to that upload, a
name that differs from the resource's own file only in its extension is not found, and any other
name is served as CKAN serves it (old links keep working).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.common import current_user
from flask import Flask, request


def file_name(resource: model.Resource) -> str:
    """The name of an upload's file (CKAN stores an upload's ``url`` as the bare name)."""
    return (resource.url or "").rsplit("/", 1)[-1]


def beside(resource: model.Resource, name: str) -> model.Resource | None:
    """The dataset's other upload called ``name``, if there is one."""
    return next(
        (
            other
            for other in resource.package.resources
            if other.id != resource.id and other.url_type == "upload" and file_name(other) == name
        ),
        None,
    )


def readable(resource: model.Resource) -> bool:
    try:
        tk.check_access("package_show", {"user": current_user.name}, {"id": resource.package_id})
    except tk.NotAuthorized:
        return False
    return True


def install(app: Flask) -> Flask:
    @app.before_request
    def files_beside_each_other() -> Any:
        if not (request.endpoint or "").endswith("resource.download"):
            return None
        args = request.view_args or {}
        name = args.get("filename")
        resource = model.Resource.get(args.get("resource_id") or "")
        if not name or resource is None or resource.state != "active" or resource.url_type != "upload":
            return None
        own = file_name(resource)
        if name == own:
            return None
        other = beside(resource, name)
        misnamed = other is None and PurePosixPath(name).stem == PurePosixPath(own).stem
        if not (other or misnamed) or not readable(resource):
            return None  # CKAN's view serves the file, or refuses a visitor who may not see the dataset
        if other is not None:
            return tk.redirect_to(request.endpoint, **{**args, "resource_id": other.id})
        return tk.abort(404, tk._("This dataset has no file named %(name)s.") % {"name": name})

    return app
