"""Shared pytest configuration.

Tests run in two environments: ``.venv/ckan`` (extension, search, portal; CKAN's pytest plugin
with ``--ckan-ini``) and ``.venv/airflow`` (pipelines, replicas). Each gets its own fixtures.
"""

import importlib.util

if importlib.util.find_spec("ckan") is not None:
    from tests.ckan_support import *  # noqa: F403
else:
    from tests.airflow_support import *  # noqa: F403
