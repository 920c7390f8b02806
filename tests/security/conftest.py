"""Fixtures shared by the security suites (CKAN environment)."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.dcat.examples import school_dataset


@pytest.fixture
def editor() -> dict:
    """An editor of a new department, a dataset of it without resources, and the editor's API token header."""
    user = factories.User()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    dataset = helpers.call_action("package_create", **school_dataset(org["id"], resources=[]))
    return {"dataset": dataset, "headers": {"Authorization": factories.APIToken(user=user["name"])["token"]}}
