"""`ckan search-index check` and `ckan search-index list-unindexed` give the same answer about
drafts: an indexed draft is indexed for both, a draft without an index entry is missing for both
(the PostgreSQL backend used to hand list-unindexed only its active entries, so every draft was
"unindexed" there while check, looking at active datasets only, saw none)."""

from __future__ import annotations

import ckan.model as model
import ckan.tests.factories as factories
import pytest
import sqlalchemy as sa
from ckan.cli.cli import ckan

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def _reports(cli) -> tuple[str, str]:
    check = cli.invoke(ckan, ["search-index", "check"])
    unindexed = cli.invoke(ckan, ["search-index", "list-unindexed"])
    assert check.exit_code == unindexed.exit_code == 0, check.output + unindexed.output
    return check.output, unindexed.output


def test_check_and_list_unindexed_agree_about_drafts(cli):
    factories.Dataset(title="Messstelle Nord")
    draft = factories.Dataset(title="Messstelle Süd (Entwurf)", state="draft")

    check, unindexed = _reports(cli)
    assert "Packages not indexed = 0 out of 2" in check
    assert "Found 0 unindexed package(s)." in unindexed

    model.Session.execute(sa.text("DELETE FROM chemnitz_search.package_index WHERE id = :id"), draft)
    model.Session.commit()
    check, unindexed = _reports(cli)
    assert "Packages not indexed = 1 out of 2" in check and f"missing: {draft['name']}" in check
    assert "Found 1 unindexed package(s)." in unindexed and draft["id"] in unindexed

    assert cli.invoke(ckan, ["search-index", "rebuild", "--only-missing"]).exit_code == 0
    check, unindexed = _reports(cli)
    assert "Packages not indexed = 0 out of 2" in check
    assert "Found 0 unindexed package(s)." in unindexed
