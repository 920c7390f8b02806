"""ISO 19139 records of geodatasets (``/iso19139``), read as GDI-DE's harvesters read them (OWSLib).

Each record is also validated against the ISO 19139 application profile's XSD that pycsw ships
(``.venv/csw``, the portal's catalogue service environment).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from lxml import etree
from owslib.iso import MD_Metadata

from tests.ckan_support import PORTAL_PLUGINS
from tests.dcat.examples import school_dataset

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
    pytest.mark.ckan_config("ckan.site_url", "https://opendata.example"),
    pytest.mark.usefixtures("with_plugins", "clean_dcat_store", "clean_index"),
]

ROOT = Path(__file__).resolve().parents[2]
WFS_URL = "https://geodienste.example/wfs/schulen"


@cache
def apiso_schema() -> etree.XMLSchema:
    """The XSD pycsw validates ISO records with (ISO 19139 2006-05-04, GML 3.1.1), from .venv/csw."""
    found = sorted((ROOT / ".venv/csw/lib").glob("python3*/site-packages/pycsw/plugins/profiles/apiso/schemas"))
    assert found, "pycsw is not installed in .venv/csw (scripts/prepare.sh installs it)"
    return etree.XMLSchema(etree.parse(str(found[0] / "ogc/csw/2.0.2/profiles/apiso/1.0.0/apiso.xsd")))


def read_record(app, url: str) -> tuple[MD_Metadata, etree._Element]:
    answer = app.get(url)
    assert answer.status_code == 200
    assert answer.content_type.startswith("application/xml")
    document = etree.fromstring(answer.get_data())
    schema = apiso_schema()
    assert schema.validate(document), schema.error_log
    return MD_Metadata(document), document


@pytest.fixture
def geodataset() -> dict:
    org = factories.Organization(name="schulverwaltungsamt", title="Schulverwaltungsamt")
    resources = [
        *school_dataset(org["id"])["resources"],
        {"name": "Schulen (WFS)", "url": WFS_URL, "format": "WFS"},
    ]
    created = helpers.call_action("package_create", **school_dataset(org["id"], resources=resources))
    return helpers.call_action("package_show", id=created["id"])


def test_dataset_record_follows_the_gdi_de_conventions(app, geodataset):
    record, _ = read_record(app, "/iso19139/schulen.xml")

    assert record.identifier == geodataset["id"]
    assert record.hierarchy == "dataset"
    assert record.languagecode == "ger"
    identification = record.identification[0]
    assert identification.title == "Schulen in Chemnitz"
    assert identification.abstract.startswith("Standorte der allgemein- und berufsbildenden Schulen")
    # GovData takes over the records of GDI-DE that carry this keyword.
    keywords = {keyword.name for group in identification.keywords for keyword in group.keywords}
    assert {"opendata", "Bildung", "Schule"} <= keywords
    assert identification.topiccategory == ["society"]
    licence = json.loads(identification.otherconstraints[-1])
    assert licence == {
        "id": "dl-by-de/2.0",
        "name": geodataset["license_title"],
        "url": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
        "quelle": "Stadt Chemnitz",
    }
    assert "Es gelten keine Zugriffsbeschränkungen" in identification.otherconstraints
    box = identification.bbox
    assert (float(box.minx), float(box.miny), float(box.maxx), float(box.maxy)) == (12.79, 50.74, 13.05, 50.92)
    assert identification.uricode == [f"https://opendata.example/dataset/{geodataset['id']}"]
    assert record.contact[0].email == "schulverwaltungsamt@stadt-chemnitz.de"
    online = {link.url: (link.protocol, link.function) for link in record.distribution.online}
    assert online["https://opendata.example/dataset/schulen"] == ("WWW:LINK-1.0-http--link", "information")
    assert online["https://portal-chemnitz.opendata.arcgis.com/datasets/schulen.geojson"] == (
        "WWW:DOWNLOAD-1.0-http--download",
        "download",
    )
    # The coupled service, as GIS users open it.
    assert online[f"{WFS_URL}?SERVICE=WFS&REQUEST=GetCapabilities"] == ("OGC:WFS", "information")
    assert record.distribution.format == "GeoJSON"


@pytest.mark.ckan_config("ckanext.chemnitz.csw.url", "https://opendata.example/csw")
def test_service_record_operates_on_its_dataset(app, geodataset):
    wfs = next(resource for resource in geodataset["resources"] if resource["format"] == "WFS")
    record, document = read_record(app, f"/iso19139/schulen/{wfs['id']}.xml")

    assert record.identifier == wfs["id"]
    assert record.hierarchy == "service"
    service = record.identification[0]
    assert service.type == "download"
    # (OWSLib looks for the coupling type in the gmd namespace: read it from the document)
    assert document.findtext(".//{http://www.isotc211.org/2005/srv}SV_CouplingType") == "tight"
    assert service.operations[0]["connectpoint"][0].url == f"{WFS_URL}?SERVICE=WFS&REQUEST=GetCapabilities"
    operates_on = document.find(".//{http://www.isotc211.org/2005/srv}operatesOn")
    # uuidref is the dataset's resource identifier, the link leads to its record in the CSW.
    assert operates_on.get("uuidref") == f"https://opendata.example/dataset/{geodataset['id']}"
    href = operates_on.get("{http://www.w3.org/1999/xlink}href")
    assert href.startswith("https://opendata.example/csw?service=CSW&version=2.0.2&request=GetRecordById")
    assert f"id={geodataset['id']}" in href
    keywords = {keyword.name for group in service.keywords for keyword in group.keywords}
    assert {"opendata", "infoFeatureAccessService"} <= keywords


def test_the_list_names_geodatasets_and_their_services_only(app, geodataset):
    org_id = geodataset["owner_org"]
    helpers.call_action(
        "package_create", **school_dataset(org_id, name="ohne-ausdehnung", spatial_coverage=[], resources=[])
    )
    helpers.call_action("package_create", **school_dataset(org_id, name="intern", private=True, resources=[]))

    records = app.get("/iso19139").get_json()["records"]

    wfs = next(resource for resource in geodataset["resources"] if resource["format"] == "WFS")
    stamp = geodataset["metadata_modified"][:19]
    assert records == [
        {"identifier": geodataset["id"], "modified": stamp, "url": "https://opendata.example/iso19139/schulen.xml"},
        {
            "identifier": wfs["id"],
            "modified": stamp,
            "url": f"https://opendata.example/iso19139/schulen/{wfs['id']}.xml",
        },
    ]
    assert app.get("/iso19139/ohne-ausdehnung.xml").status_code == 404
    assert app.get("/iso19139/intern.xml").status_code == 404
    csv = next(resource for resource in geodataset["resources"] if resource["format"] == "CSV")
    assert app.get(f"/iso19139/schulen/{csv['id']}.xml").status_code == 404


@pytest.mark.ckan_config("ckanext.chemnitz.iso19139.opendata", "false")
def test_the_opendata_keyword_can_be_left_to_the_dcat_route(app, geodataset):
    """When GovData takes the geodatasets from the DCAT catalogue, GDI-DE's copy must not bring them again."""
    record, _ = read_record(app, "/iso19139/schulen.xml")
    keywords = {keyword.name for group in record.identification[0].keywords for keyword in group.keywords}
    assert keywords == {"Bildung", "Schule"}
