"""The portal's catalogue service as the geodata infrastructure reads it: pycsw (``scripts/csw.sh``, its
own ``.venv/csw``) fed from the harvested test portal's ISO 19139 records, queried with OWSLib as
GDI-DE's Geodatenkatalog and Geoportal Sachsen query a CSW 2.0.2 (GetCapabilities, GetRecords with
filters, GetRecordById in ISO 19139)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from owslib.csw import CatalogueServiceWeb
from owslib.fes import BBox, PropertyIsLike

from tests.dcat.examples import school_dataset
from tests.support.portal import ROOT, as_pipelines

GMD = "http://www.isotc211.org/2005/gmd"
PROBE = "csw-probe"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def csw_script(command: str, env: dict[str, str]) -> str:
    """Run ``scripts/csw.sh command``; its log (the feed logs to standard error)."""
    done = subprocess.run(
        [str(ROOT / "scripts" / "csw.sh"), command], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stderr


def fed(log: str) -> dict[str, int]:
    """The counts of the feed's summary line (inserted, updated, deleted, unchanged, failed)."""
    pattern = r"(\d+) (inserted|updated|deleted|unchanged|failed)"
    return {word: int(number) for number, word in re.findall(pattern, log.splitlines()[-1])}


def feed_counts(**counts: int) -> dict[str, int]:
    return {"inserted": 0, "updated": 0, "deleted": 0, "unchanged": 0, "failed": 0, **counts}


@pytest.fixture(scope="module")
def csw(portal: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """pycsw on a free port, its repository and pid files in a temporary folder, fed once at start."""
    folder: Path = tmp_path_factory.mktemp("csw")
    port = free_port()
    env = {
        **os.environ,
        "CSW_PORT": str(port),
        "CSW_DIR": str(folder),
        "CSW_RUN": str(folder),
        "CSW_PORTAL": portal["CKAN_URL"],
        "CSW_SYNC_SECONDS": "3600",  # the tests feed it themselves (sync)
    }
    csw_script("start", env)
    try:
        yield {"url": f"http://127.0.0.1:{port}/csw", "env": env}
    finally:
        csw_script("stop", env)


@pytest.fixture(scope="module")
def listed(portal: dict[str, str]) -> list[dict]:
    answer = requests.get(f"{portal['CKAN_URL']}/iso19139", timeout=60)
    answer.raise_for_status()
    return answer.json()["records"]


def records(url: str, **query) -> CatalogueServiceWeb:
    service = CatalogueServiceWeb(url, timeout=60)
    service.getrecords2(outputschema=GMD, esn="full", maxrecords=100, **query)
    return service


def test_every_geodataset_of_the_portal_is_in_the_csw(csw, listed, published):
    service = records(csw["url"])

    assert "Chemnitz" in service.identification.title
    located = ("geom", "bbox", "centroid")
    harvested = {
        dataset["id"]
        for dataset in published
        if any(place.get(key) for place in dataset.get("spatial_coverage") or [] for key in located)
    }
    assert harvested, "the pipelines publish every source with its extent"
    assert {entry["identifier"] for entry in listed} >= harvested
    assert set(service.records) == {entry["identifier"] for entry in listed}
    assert service.results["matches"] == len(listed)
    for record in service.records.values():
        identification = record.identification[0]
        keywords = {keyword.name for group in identification.keywords for keyword in group.keywords}
        assert "opendata" in keywords, record.identifier
        licence = json.loads(identification.otherconstraints[-1])
        assert licence["id"] and licence["url"].startswith("http://dcat-ap.de/def/licenses/"), record.identifier
        box = identification.bbox
        assert 11.8 < float(box.minx) <= float(box.maxx) < 15.1 and 50.1 < float(box.miny) <= float(box.maxy) < 51.7


def test_harvesters_find_records_by_keyword_text_and_place(csw, listed, published):
    schools = next(dataset for dataset in published if dataset["name"] == "schulen")

    marked = records(csw["url"], constraints=[PropertyIsLike("apiso:Subject", "%opendata%")])
    assert marked.results["matches"] == len(listed)
    by_text = records(csw["url"], constraints=[PropertyIsLike("csw:AnyText", "%Schulen%")])
    assert schools["id"] in by_text.records
    # CSW 2.0.2's EPSG:4326 is latitude first: Chemnitz's centre, then Munich.
    in_chemnitz = records(csw["url"], constraints=[BBox([50.82, 12.90, 50.85, 12.94])])
    assert schools["id"] in in_chemnitz.records
    assert records(csw["url"], constraints=[BBox([48.10, 11.50, 48.20, 11.60])]).results["matches"] == 0


def test_the_feed_follows_the_portal_with_the_coupled_service(csw, portal, listed):
    """A new geodataset with a WFS appears with its service record (``operatesOn`` the dataset), a
    deleted one disappears; unchanged records are not fetched again."""
    client = as_pipelines(portal)
    owner = client.action.organization_show(id="schulverwaltungsamt")["id"]
    wfs = {"name": "Probe (WFS)", "url": "http://127.0.0.1:9/wfs", "format": "WFS"}
    created = client.action.package_create(**school_dataset(owner, name=PROBE, title="CSW-Probe", resources=[wfs]))
    try:
        assert fed(csw_script("sync", csw["env"])) == feed_counts(inserted=2, unchanged=len(listed))
        service = CatalogueServiceWeb(csw["url"], timeout=60)
        service.getrecordbyid([created["id"]], outputschema=GMD)
        assert service.records[created["id"]].identification[0].title == "CSW-Probe"
        wfs_id = created["resources"][0]["id"]
        service.getrecordbyid([wfs_id], outputschema=GMD)
        coupled = service.records[wfs_id]
        assert coupled.hierarchy == "service"
        assert [entry["uuidref"] for entry in coupled.identification[0].operateson] == [
            f"{portal['CKAN_URL']}/dataset/{created['id']}"
        ]
    finally:
        client.action.package_delete(id=created["id"])
    assert fed(csw_script("sync", csw["env"])) == feed_counts(deleted=2, unchanged=len(listed))
    service = CatalogueServiceWeb(csw["url"], timeout=60)
    service.getrecordbyid([created["id"]], outputschema=GMD)
    assert created["id"] not in service.records
