"""Purging a dataset for good: its DataStore tables and uploaded files first, then the dataset.

CKAN's ``dataset_purge`` removes only the database rows: the DataStore tables of its resources
stay (and ``ckan datastore purge`` cannot drop them afterwards: ``datastore_delete`` asks for the
resource, which is gone, and fails with NotFound), and so do the uploaded files in the file store.
A source removed with ``scripts/remove-source.sh --purge`` leaves nothing behind this way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import ckan.plugins.toolkit as tk
from ckan.lib import files, uploader


@dataclass
class Purged:
    dataset: str
    tables: int = 0
    files: int = 0

    def __str__(self) -> str:
        return f"Purged dataset {self.dataset}: {self.tables} DataStore table(s), {self.files} uploaded file(s)"


def purge_dataset(reference: str) -> Purged:
    """Drop the DataStore tables and delete the uploads of dataset ``reference``, then purge it."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    dataset = tk.get_action("package_show")({"user": site_user}, {"id": reference})
    purged = Purged(dataset["name"])
    for resource in dataset["resources"]:
        if resource.get("datastore_active"):
            tk.get_action("datastore_delete")({"user": site_user}, {"resource_id": resource["id"], "force": True})
            purged.tables += 1
        if resource.get("url_type") == "upload" and _delete_upload(resource):
            purged.files += 1
    tk.get_action("dataset_purge")({"user": site_user}, {"id": dataset["id"]})
    return purged


def _delete_upload(resource: dict) -> bool:
    """Delete the resource's file from CKAN's file store; False when there was none."""
    upload = uploader.get_resource_uploader(resource)
    location = upload.get_path(resource["id"])
    storage = getattr(upload, "storage", None)
    if storage is None:  # the classic uploader: a plain path below ckan.storage_path
        if not os.path.exists(location):
            return False
        os.remove(location)
        return True
    data = files.FileData(location)
    if not storage.exists(data):
        return False
    storage.remove(data)
    return True
