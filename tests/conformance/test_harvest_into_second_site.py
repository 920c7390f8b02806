"""Harvestability: ckanext-harvest's DCAT RDF harvester imports the test portal's catalogue into a
second, empty CKAN site (``var/harvest.ini``, set up by ``make test``), as GovData would.

The second site runs the harvest the way an operator does (``ckan harvester run-test``: gather,
fetch and import in one process) and is read back through its Action API (ckanapi's ``ckan api``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.portal import ROOT

SITE = ROOT / "var" / "harvest.ini"
BIN = Path(sys.executable).parent


def run(argv: list[str], data: dict | None = None) -> str:
    answer = subprocess.run(
        argv, input=None if data is None else json.dumps(data), capture_output=True, text=True, timeout=900
    )
    assert answer.returncode == 0, f"{' '.join(argv)} failed:\n{answer.stdout[-3000:]}\n{answer.stderr[-3000:]}"
    return answer.stdout


def second_site_action(action_name: str, **data) -> dict:
    return json.loads(run([str(BIN / "ckan"), "-c", str(SITE), "api", "action", action_name, "-i"], data))


def harvest() -> str:
    return run([str(BIN / "ckan"), "-c", str(SITE), "harvester", "run-test", "chemnitz"])


@pytest.fixture(scope="module")
def harvested(portal, published) -> dict[str, dict]:
    if not SITE.exists():
        pytest.fail("No second site: make test sets it up (scripts/ckan-config.sh harvest).")
    assert second_site_action("package_search", rows=0)["count"] == 0, "the second site must start empty"
    second_site_action("organization_create", name="govdata-test", title="GovData (Test)")
    second_site_action(
        "harvest_source_create",
        name="chemnitz",
        title="Offene Daten Chemnitz",
        url=f"{portal['CKAN_URL']}/catalog.ttl",
        source_type="dcat_rdf",
        owner_org="govdata-test",
        frequency="MANUAL",
    )
    log = harvest()
    datasets = second_site_action("package_search", rows=1000)["results"]
    assert datasets, f"nothing harvested; harvester output:\n{log[-3000:]}"
    return {dataset["title"]: dataset for dataset in datasets}


def test_every_public_dataset_arrives(harvested, published):
    assert set(harvested) == {dataset["title"] for dataset in published}


def test_licences_themes_publishers_and_coverage_arrive_intact(harvested, published):
    for original in published:
        copy = harvested[original["title"]]
        assert copy["notes"] == original["notes"]
        assert copy["license_id"] == original["license_id"] == "dl-by-de/2.0"
        assert sorted(copy["theme"]) == sorted(original["theme"])
        assert copy["publisher"][0]["name"] == original["publisher"][0]["name"]
        assert copy["spatial_coverage"][0]["uri"] == original["spatial_coverage"][0]["uri"]
        assert copy.get("temporal_coverage") == original.get("temporal_coverage")
        assert len(copy["resources"]) == len(original["resources"])


def test_a_second_harvest_updates_in_place_without_duplicates(harvested):
    harvest()
    again = second_site_action("package_search", rows=1000)["results"]
    assert sorted(d["title"] for d in again) == sorted(harvested)
    assert {d["title"]: d["id"] for d in again} == {title: d["id"] for title, d in harvested.items()}
