"""A geodataset as ISO 19139 (ISO 19115 dataset record, ISO 19119 records of its WFS/WMS services).

The geodata infrastructure does not read DCAT: GDI-DE's Geodatenkatalog and Geoportal Sachsen
harvest ISO 19139 records from a CSW, and GovData takes over those carrying the keyword
``opendata``. The records follow the GDI-DE conventions (Architektur der GDI-DE, Konventionen zu
Metadaten): file identifier = the dataset's id, a namespaced resource identifier, the keyword
``opendata``, the licence twice in ``otherConstraints`` (as text and as the JSON object GovData
reads: id, name, url, quelle), no access restrictions stated explicitly, the bounding box in WGS 84,
every distribution as an online resource, and the coupling of data and services: a service record
``srv:operatesOn`` the dataset (``uuidref`` = its resource identifier, ``xlink:href`` = where its
record is read), while the dataset record lists the service among its online resources.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from lxml import etree
from shapely.geometry.base import BaseGeometry

GMD = "http://www.isotc211.org/2005/gmd"
GCO = "http://www.isotc211.org/2005/gco"
SRV = "http://www.isotc211.org/2005/srv"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NAMESPACES = {"gmd": GMD, "gco": GCO, "srv": SRV, "xlink": XLINK, "xsi": XSI}
# The application profile pycsw and GDI-DE validate against (ISO 19139, 2006-05-04 schemas).
SCHEMA_LOCATION = f"{GMD} http://schemas.opengis.net/csw/2.0.2/profiles/apiso/1.0.0/apiso.xsd"
CODE_LISTS = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"
OPEN_DATA_KEYWORD = "opendata"  # GovData's mark of open data among GDI-DE's records
NO_ACCESS_LIMITS = "Es gelten keine Zugriffsbeschränkungen"
DOWNLOAD_PROTOCOL = "WWW:DOWNLOAD-1.0-http--download"
# WFS and WMS resources are services: INSPIRE service type and classification keyword.
SERVICES = {
    "WFS": ("download", "infoFeatureAccessService", "OGC:WFS"),
    "WMS": ("view", "infoMapAccessService", "OGC:WMS"),
}
SERVICE_FORMATS = {"WFS": "WFS", "WFS_SRVC": "WFS", "WMS": "WMS", "WMS_SRVC": "WMS"}
# ISO 19115 topic categories of the EU data themes (the first theme that has one wins).
TOPICS = {
    "AGRI": "farming",
    "ECON": "economy",
    "EDUC": "society",
    "ENER": "utilitiesCommunication",
    "ENVI": "environment",
    "GOVE": "planningCadastre",
    "HEAL": "health",
    "INTR": "society",
    "JUST": "society",
    "REGI": "boundaries",
    "SOCI": "society",
    "TECH": "structure",
    "TRAN": "transportation",
}
DEFAULT_TOPIC = "location"


@dataclass(frozen=True)
class Catalogue:
    """How the portal publishes its records: its address, the records' identifier namespace, the CSW
    (empty: none yet), and whether they carry the keyword ``opendata`` (GovData's import from GDI-DE)."""

    site_url: str
    namespace: str
    csw_url: str = ""
    open_data: bool = True

    def record_url(self, dataset_name: str, resource_id: str | None = None) -> str:
        """The portal's address of a record (what the CSW is fed from)."""
        path = f"{dataset_name}/{resource_id}" if resource_id else dataset_name
        return f"{self.site_url}/iso19139/{path}.xml"

    def metadata_url(self, dataset: dict[str, Any]) -> str:
        """Where a harvester reads the dataset's record: the CSW's GetRecordById, else the portal."""
        if not self.csw_url:
            return self.record_url(dataset["name"])
        query = {
            "service": "CSW",
            "version": "2.0.2",
            "request": "GetRecordById",
            "id": dataset["id"],
            "outputSchema": GMD,
            "elementSetName": "full",
        }
        return f"{self.csw_url}?{urlencode(query)}"

    def resource_identifier(self, dataset: dict[str, Any]) -> str:
        return f"{self.namespace}{dataset['id']}"


def service_kind(resource: dict[str, Any]) -> str | None:
    """``WFS`` or ``WMS`` for a resource that is a service, None for a file."""
    return SERVICE_FORMATS.get((resource.get("format") or "").strip().upper())


def services(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    return [resource for resource in dataset.get("resources") or [] if service_kind(resource)]


def date_stamp(dataset: dict[str, Any]) -> str:
    """``gmd:dateStamp``: when the metadata last changed, to the second (the CSW feed compares it)."""
    return str(dataset.get("metadata_modified") or dataset.get("metadata_created") or "")[:19]


def dataset_record(
    dataset: dict[str, Any],
    geometry: BaseGeometry,
    catalogue: Catalogue,
    contacts: list[dict[str, str]],
    attribution: str,
) -> bytes:
    """The ISO 19139 record of a geodataset (``hierarchyLevel`` dataset)."""
    root = _metadata(dataset["id"], "dataset", dataset, contacts)
    _reference_systems(root, dataset)
    identification = _sub(_sub(root, "gmd:identificationInfo"), "gmd:MD_DataIdentification")
    identifier = catalogue.resource_identifier(dataset)
    marks = [OPEN_DATA_KEYWORD] if catalogue.open_data else []
    _identification(
        identification, dataset, dataset["title"], dataset.get("notes"), contacts, attribution, identifier, marks
    )
    _text(_sub(identification, "gmd:language"), "gmd:LanguageCode", "ger", code="ger", codelist=_iso639())
    _code(_sub(identification, "gmd:characterSet"), "MD_CharacterSetCode", "utf8")
    _sub(_sub(identification, "gmd:topicCategory"), "gmd:MD_TopicCategoryCode").text = topic(dataset)
    _bounding_box(_sub(_sub(identification, "gmd:extent"), "gmd:EX_Extent"), geometry)
    page = (
        f"{catalogue.site_url}/dataset/{dataset['name']}",
        "WWW:LINK-1.0-http--link",
        "Datensatz im Portal",
        "information",
    )
    online = [page, *(_online(resource) for resource in dataset.get("resources") or [] if resource.get("url"))]
    _distribution(root, dataset.get("resources") or [], online)
    _lineage(root, "dataset", dataset)
    return _serialise(root)


def service_record(
    dataset: dict[str, Any],
    resource: dict[str, Any],
    geometry: BaseGeometry,
    catalogue: Catalogue,
    contacts: list[dict[str, str]],
    attribution: str,
) -> bytes:
    """The ISO 19119 record of a WFS or WMS resource, coupled to its dataset (``srv:operatesOn``)."""
    kind = service_kind(resource)
    if kind is None:
        raise ValueError(f"resource {resource.get('id')} is no WFS or WMS")
    service_type, classification, _ = SERVICES[kind]
    root = _metadata(resource["id"], "service", dataset, contacts)
    identification = _sub(_sub(root, "gmd:identificationInfo"), "srv:SV_ServiceIdentification")
    title = resource.get("name") or f"{dataset['title']} ({kind})"
    abstract = resource.get("description") or f"{kind} des Datensatzes „{dataset['title']}“."
    marks = [OPEN_DATA_KEYWORD, classification] if catalogue.open_data else [classification]
    _identification(identification, dataset, title, abstract, contacts, attribution, None, marks)
    _sub(_sub(identification, "srv:serviceType"), "gco:LocalName").text = service_type
    _bounding_box(_sub(_sub(identification, "srv:extent"), "gmd:EX_Extent"), geometry)
    coupling = _sub(identification, "srv:couplingType")
    _text(coupling, "srv:SV_CouplingType", "tight", code="tight", codelist=f"{CODE_LISTS}#SV_CouplingType")
    operation = _sub(_sub(identification, "srv:containsOperations"), "srv:SV_OperationMetadata")
    _sub(_sub(operation, "srv:operationName"), "gco:CharacterString").text = "GetCapabilities"
    _text(
        _sub(operation, "srv:DCP"), "srv:DCPList", "WebServices", code="WebServices", codelist=f"{CODE_LISTS}#DCPList"
    )
    _sub(
        _sub(_sub(_sub(operation, "srv:connectPoint"), "gmd:CI_OnlineResource"), "gmd:linkage"), "gmd:URL"
    ).text = capabilities_url(resource["url"], kind)
    operates_on = _sub(identification, "srv:operatesOn")
    operates_on.set("uuidref", catalogue.resource_identifier(dataset))
    operates_on.set(f"{{{XLINK}}}href", catalogue.metadata_url(dataset))
    _distribution(root, [], [_online(resource)])
    _lineage(root, "service", dataset)
    return _serialise(root)


def capabilities_url(url: str, kind: str) -> str:
    """The service's GetCapabilities request (what a GIS opens), however the resource gave its URL."""
    if "request=getcapabilities" in url.lower():
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'SERVICE': kind, 'REQUEST': 'GetCapabilities'})}"


def topic(dataset: dict[str, Any]) -> str:
    themes = [str(theme).rsplit("/", 1)[-1] for theme in dataset.get("theme") or []]
    return next((TOPICS[code] for code in themes if code in TOPICS), DEFAULT_TOPIC)


def licence_constraints(dataset: dict[str, Any], attribution: str) -> list[str]:
    """The ``otherConstraints`` of use: the licence in words, then as GovData's JSON object."""
    identifier = dataset.get("license_id") or ""
    name = dataset.get("license_title") or identifier
    text = f"Nutzungsbedingungen: {name}"
    if attribution:
        text += f"; Quellenvermerk: {attribution}"
    licence = {"id": identifier, "name": name, "url": dataset.get("license_url") or "", "quelle": attribution}
    return [text, json.dumps(licence, ensure_ascii=False)]


# --- building blocks -------------------------------------------------------------------------


def _sub(parent: etree._Element, name: str) -> etree._Element:
    prefix, local = name.split(":")
    return etree.SubElement(parent, f"{{{NAMESPACES[prefix]}}}{local}")


def _string(parent: etree._Element, name: str, value: str) -> etree._Element:
    element = _sub(parent, name)
    _sub(element, "gco:CharacterString").text = value
    return element


def _code(parent: etree._Element, code_list: str, value: str) -> None:
    _text(parent, f"gmd:{code_list}", value, code=value, codelist=f"{CODE_LISTS}#{code_list}")


def _text(parent: etree._Element, name: str, text: str, *, code: str, codelist: str) -> None:
    element = _sub(parent, name)
    element.set("codeList", codelist)
    element.set("codeListValue", code)
    element.text = text


def _iso639() -> str:
    return "http://www.loc.gov/standards/iso639-2/"


def _metadata(identifier: str, level: str, dataset: dict[str, Any], contacts: list[dict[str, str]]) -> etree._Element:
    root = etree.Element(f"{{{GMD}}}MD_Metadata", nsmap=NAMESPACES)
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    _string(root, "gmd:fileIdentifier", identifier)
    _text(_sub(root, "gmd:language"), "gmd:LanguageCode", "ger", code="ger", codelist=_iso639())
    _code(_sub(root, "gmd:characterSet"), "MD_CharacterSetCode", "utf8")
    _code(_sub(root, "gmd:hierarchyLevel"), "MD_ScopeCode", level)
    if level == "service":
        _string(root, "gmd:hierarchyLevelName", "Dienst")
    for contact in contacts:
        _party(_sub(root, "gmd:contact"), contact, "pointOfContact")
    _sub(_sub(root, "gmd:dateStamp"), "gco:DateTime").text = date_stamp(dataset)
    _string(root, "gmd:metadataStandardName", "ISO 19115:2003/19119" if level == "service" else "ISO 19115:2003")
    _string(root, "gmd:metadataStandardVersion", "2003/Cor.1:2006")
    return root


def _party(parent: etree._Element, contact: dict[str, str], role: str) -> None:
    party = _sub(parent, "gmd:CI_ResponsibleParty")
    _string(party, "gmd:organisationName", contact.get("name") or "Stadt Chemnitz")
    info = _sub(_sub(party, "gmd:contactInfo"), "gmd:CI_Contact")
    if contact.get("email"):
        address = _sub(_sub(info, "gmd:address"), "gmd:CI_Address")
        _string(address, "gmd:electronicMailAddress", contact["email"])
    if contact.get("url"):
        resource = _sub(_sub(info, "gmd:onlineResource"), "gmd:CI_OnlineResource")
        _sub(_sub(resource, "gmd:linkage"), "gmd:URL").text = contact["url"]
    _code(_sub(party, "gmd:role"), "CI_RoleCode", role)


def _reference_systems(root: etree._Element, dataset: dict[str, Any]) -> None:
    """WGS 84 (the GeoJSON for the web), ETRS89 / UTM 33N when a distribution offers it."""
    codes = ["4326"]
    if any("25833" in (resource.get("url") or "") for resource in dataset.get("resources") or []):
        codes.append("25833")
    for code in codes:
        system = _sub(_sub(root, "gmd:referenceSystemInfo"), "gmd:MD_ReferenceSystem")
        identifier = _sub(_sub(system, "gmd:referenceSystemIdentifier"), "gmd:RS_Identifier")
        _string(identifier, "gmd:code", f"http://www.opengis.net/def/crs/EPSG/0/{code}")


def _identification(
    identification: etree._Element,
    dataset: dict[str, Any],
    title: str,
    abstract: str | None,
    contacts: list[dict[str, str]],
    attribution: str,
    identifier: str | None,
    marks: Iterable[str],
) -> None:
    """The elements dataset and service identification share, in the schema's order.

    ``identifier``: the resource identifier of a dataset (GDI-DE: namespace + local id), which the
    services' ``operatesOn`` refers to.
    """
    citation = _sub(_sub(identification, "gmd:citation"), "gmd:CI_Citation")
    _string(citation, "gmd:title", title)
    # CI_Citation needs a date: the publication, else when the portal got the dataset.
    published = dataset.get("issued") or dataset.get("metadata_created") or dataset.get("metadata_modified")
    for value, kind in ((published, "publication"), (dataset.get("modified"), "revision")):
        if value:
            date = _sub(_sub(citation, "gmd:date"), "gmd:CI_Date")
            _sub(_sub(date, "gmd:date"), "gco:Date").text = str(value)[:10]
            _code(_sub(date, "gmd:dateType"), "CI_DateTypeCode", kind)
    if identifier:
        _string(_sub(_sub(citation, "gmd:identifier"), "gmd:MD_Identifier"), "gmd:code", identifier)
    _string(identification, "gmd:abstract", (abstract or title).strip())
    for contact in contacts:
        _party(_sub(identification, "gmd:pointOfContact"), contact, "pointOfContact")
    keywords = _sub(_sub(identification, "gmd:descriptiveKeywords"), "gmd:MD_Keywords")
    tags = [tag["name"] for tag in dataset.get("tags") or [] if tag.get("name")]
    for keyword in dict.fromkeys([*marks, *tags]):
        _string(keywords, "gmd:keyword", keyword)
    access = _sub(_sub(identification, "gmd:resourceConstraints"), "gmd:MD_LegalConstraints")
    _code(_sub(access, "gmd:accessConstraints"), "MD_RestrictionCode", "otherRestrictions")
    _string(access, "gmd:otherConstraints", NO_ACCESS_LIMITS)
    use = _sub(_sub(identification, "gmd:resourceConstraints"), "gmd:MD_LegalConstraints")
    _code(_sub(use, "gmd:useConstraints"), "MD_RestrictionCode", "otherRestrictions")
    for text in licence_constraints(dataset, attribution):
        _string(use, "gmd:otherConstraints", text)


def _bounding_box(extent: etree._Element, geometry: BaseGeometry) -> None:
    west, south, east, north = geometry.bounds
    box = _sub(_sub(extent, "gmd:geographicElement"), "gmd:EX_GeographicBoundingBox")
    sides = {
        "westBoundLongitude": west,
        "eastBoundLongitude": east,
        "southBoundLatitude": south,
        "northBoundLatitude": north,
    }
    for name, value in sides.items():
        _sub(_sub(box, f"gmd:{name}"), "gco:Decimal").text = f"{value:.6f}"


def _online(resource: dict[str, Any]) -> tuple[str, str, str, str]:
    """(URL, protocol, name, function) of a distribution: services by their protocol."""
    kind = service_kind(resource)
    name = resource.get("name") or resource.get("format") or "Download"
    if kind:
        return capabilities_url(resource["url"], kind), SERVICES[kind][2], name, "information"
    return resource["url"], DOWNLOAD_PROTOCOL, name, "download"


def _distribution(
    root: etree._Element, resources: list[dict[str, Any]], online: list[tuple[str, str, str, str]]
) -> None:
    distribution = _sub(_sub(root, "gmd:distributionInfo"), "gmd:MD_Distribution")
    formats = dict.fromkeys(
        (resource.get("format") or "").strip() for resource in resources if not service_kind(resource)
    )
    for name in filter(None, formats):
        format_ = _sub(_sub(distribution, "gmd:distributionFormat"), "gmd:MD_Format")
        _string(format_, "gmd:name", name)
        _string(format_, "gmd:version", "-")
    options = _sub(_sub(distribution, "gmd:transferOptions"), "gmd:MD_DigitalTransferOptions")
    for url, protocol, name, function in online:
        resource = _sub(_sub(options, "gmd:onLine"), "gmd:CI_OnlineResource")
        _sub(_sub(resource, "gmd:linkage"), "gmd:URL").text = url
        _string(resource, "gmd:protocol", protocol)
        _string(resource, "gmd:name", name)
        _code(_sub(resource, "gmd:function"), "CI_OnLineFunctionCode", function)


def _lineage(root: etree._Element, level: str, dataset: dict[str, Any]) -> None:
    quality = _sub(_sub(root, "gmd:dataQualityInfo"), "gmd:DQ_DataQuality")
    _code(_sub(_sub(_sub(quality, "gmd:scope"), "gmd:DQ_Scope"), "gmd:level"), "MD_ScopeCode", level)
    organization = (dataset.get("organization") or {}).get("title") or "Stadt Chemnitz"
    statement = f"Bereitgestellt von {organization} über das Open-Data-Portal der Stadt Chemnitz."
    _string(_sub(_sub(quality, "gmd:lineage"), "gmd:LI_Lineage"), "gmd:statement", statement)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
