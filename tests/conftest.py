"""Shared pytest configuration.

Tests run in two environments: ``.venv/ckan`` (extension, search, portal; CKAN's pytest plugin
with ``--ckan-ini``) and ``.venv/airflow`` (pipelines, replicas). CKAN fixtures are only loaded
where CKAN is installed.
"""

import importlib.util

if importlib.util.find_spec("ckan") is not None:
    from tests.ckan_support import *  # noqa: F403
