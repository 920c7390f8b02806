"""Fixtures of the DCAT-AP.de suites: the city's department and its complete example dataset."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from tests.dcat.examples import school_dataset


@pytest.fixture
def org() -> dict:
    return factories.Organization(name="schulverwaltungsamt")


@pytest.fixture
def published(org) -> dict:
    """The school dataset as the portal shows it after ``package_create``."""
    created = helpers.call_action("package_create", **school_dataset(org["id"]))
    return helpers.call_action("package_show", id=created["id"])


@pytest.fixture
def clean_dcat_store(clean_db, migrate_db_for):
    """``clean_db`` plus the stored RDF of the datasets (``dcat/store.py``), from its migration, empty."""
    import ckan.model as model
    import sqlalchemy as sa

    migrate_db_for("chemnitz")
    model.Session.execute(sa.text("DELETE FROM chemnitz_dcat_record"))
    model.Session.commit()
