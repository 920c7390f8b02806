"""The ``dcat_ap_de`` RDF profile: DCAT-AP.de 3.0 on top of ckanext-dcat's ``euro_dcat_ap_3``.

ckanext-dcat writes the EU DCAT-AP 3 properties of the scheming fields. This profile adds the
German properties (dcatde:…), the catalogue's publisher, the HVD category, and turns the values
the DCAT-AP.de shapes want as IRIs into IRIs (file types, IANA media types, SPDX algorithms,
languages, geometry nodes). The 2.0-only properties are still written, so 2.0 harvesters find
them; under 3.0 they only raise deprecation warnings. ``parse_dataset`` reads all of it back.
"""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import DCAT, DCT, FOAF, LOCN, RDF, SPDX, VCARD
from ckanext.dcat.profiles.base import CleanedURIRef
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import catalog_uri, resource_uri
from rdflib import BNode, Literal, Namespace, URIRef

from ckanext.chemnitz.dcat import contact, dates, store, version2, vocabularies
from ckanext.chemnitz.dcat.version2 import SHA256

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
IANA = "https://www.iana.org/assignments/media-types/"
POLITICAL_GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
REGIONAL_KEY = "ckanext.chemnitz.dcat.regional_key"


def catalogue_area(regional_key: str) -> URIRef:
    """The catalogue's dct:spatial: the political-geocoding IRI of the city's regional key
    (Amtlicher Regionalschlüssel); ValueError for anything but 12 digits. Only the form is checked:
    reading the political-geocoding list would cost every start of CKAN some seconds."""
    if not re.fullmatch(r"[0-9]{12}", regional_key):
        raise ValueError(f"{regional_key!r} is not a regional key (Amtlicher Regionalschlüssel: 12 digits)")
    return URIRef(POLITICAL_GEOCODING + "regionalKey/" + regional_key)


class DCATAPDEProfile(EuropeanDCATAP3Profile):
    """DCAT-AP.de 3.0 (readable as 2.0) for the scheming schema ``schemas/dataset.yaml``."""

    # ---------------------------------------------------------------- serialise
    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        super().graph_from_dataset(dataset_dict, dataset_ref)
        g = self.g
        g.bind("dcatde", DCATDE)
        g.bind("dcatap", DCATAP)
        if (dataset_ref, RDF.type, DCAT.DatasetSeries) in g:
            # DCAT 3: every dcat:DatasetSeries is a dcat:Dataset. Validators without the DCAT
            # ontology (GovData's, the official shapes) only accept dcat:Dataset as the object of
            # dcat:dataset, so the entailed type is written out.
            g.add((dataset_ref, RDF.type, DCAT.Dataset))

        contributor = dataset_dict.get("contributor_id") or tk.config.get("ckanext.chemnitz.dcat.contributor_id")
        if contributor:
            g.add((dataset_ref, DCATDE.contributorID, URIRef(contributor)))
        level = dataset_dict.get("political_geocoding_level_uri")
        if level:
            g.add((dataset_ref, DCATDE.politicalGeocodingLevelURI, URIRef(level)))
        for area in dataset_dict.get("spatial_coverage") or []:
            uri = area.get("uri") or ""
            if uri.startswith(POLITICAL_GEOCODING):
                g.add((dataset_ref, DCATDE.politicalGeocodingURI, URIRef(uri)))  # 2.0; deprecated in 3.0
        self._geometry_nodes(dataset_ref)
        self._contact_points(dataset_ref, dataset_dict)
        if dataset_dict.get("legal_basis"):
            g.add((dataset_ref, DCATDE.legalBasis, Literal(dataset_dict["legal_basis"])))
        if dataset_dict.get("quality_process_uri"):
            g.add((dataset_ref, DCATDE.qualityProcessURI, URIRef(dataset_dict["quality_process_uri"])))
        names = {"maintainer": contact.maintainer_name(dataset_dict), "originator": dataset_dict.get("originator")}
        for key, predicate in (("maintainer", DCATDE.maintainer), ("originator", DCATDE.originator)):
            if names[key]:
                agent = BNode()
                g.add((agent, RDF.type, FOAF.Organization))
                g.add((agent, FOAF.name, Literal(names[key])))
                if key == "maintainer" and dataset_dict.get("maintainer_email"):
                    g.add((agent, FOAF.mbox, URIRef(self._add_mailto(dataset_dict["maintainer_email"]))))
                g.add((dataset_ref, predicate, agent))
        hvd = self._read_list_value(dataset_dict.get("hvd_category"))
        for category in hvd:
            g.add((dataset_ref, DCATAP.hvdCategory, URIRef(category)))
        legislation = set(self._read_list_value(dataset_dict.get("applicable_legislation")))
        if hvd:
            legislation.add(vocabularies.HVD_LEGISLATION)
        g.remove((dataset_ref, DCATAP.applicableLegislation, None))
        for eli in sorted(legislation):
            g.add((dataset_ref, DCATAP.applicableLegislation, URIRef(eli)))
        self._language_iris(dataset_ref)

        dates.issued_not_after_modified(g, dataset_ref)
        attribution = dataset_dict.get("license_attribution_by_text")
        for resource in dataset_dict.get("resources", []):
            distribution = CleanedURIRef(resource_uri(resource))
            dates.issued_not_after_modified(g, distribution)
            if attribution:
                g.add((distribution, DCATDE.licenseAttributionByText, Literal(attribution)))
            self._file_type(distribution, resource)
            self._checksum_algorithm(distribution)
            if resource.get("url_type") == "upload" and resource.get("url"):
                # A file stored by the portal: its URL is the download itself (ckanext-dcat writes
                # dcat:downloadURL only from an explicit download_url field).
                g.add((distribution, DCAT.downloadURL, URIRef(resource["url"])))
            if hvd:
                for eli in sorted(legislation):
                    g.add((distribution, DCATAP.applicableLegislation, URIRef(eli)))

    def _contact_points(self, dataset_ref: URIRef, dataset_dict: dict[str, Any]) -> None:
        """dcat:contactPoint: whom ``dcat/contact.py`` names, and no one else.

        ckanext-dcat writes the ``contact`` entries and also one of the maintainer and author
        fields (without a name when only an e-mail address is given): the same office twice, or
        an incomplete card. Entries of the dataset stay ``vcard:Kind`` (a person or an office);
        the derived contacts are ``vcard:Organization``.
        """
        g = self.g
        for card in list(g.objects(dataset_ref, DCAT.contactPoint)):
            g.remove((dataset_ref, DCAT.contactPoint, card))
            g.remove((card, None, None))
        kind = VCARD.Kind if contact.own_contacts(dataset_dict) else VCARD.Organization
        for point in contact.contact_points(dataset_dict):
            card = BNode()
            g.add((card, RDF.type, kind))
            if point.get("name"):
                g.add((card, VCARD.fn, Literal(point["name"])))
            if point.get("email"):
                g.add((card, VCARD.hasEmail, URIRef(self._add_mailto(point["email"]))))
            if point.get("url"):
                g.add((card, VCARD.hasURL, URIRef(point["url"])))
            g.add((dataset_ref, DCAT.contactPoint, card))

    def _geometry_nodes(self, dataset_ref: URIRef) -> None:
        """Give each dataset its own location node for its geometry and bounding box.

        A political-geocoding IRI such as Chemnitz's regional key is shared by many datasets;
        geometries attached to it would add up in a catalogue (``dcat:bbox`` at most once). The
        IRI stays a ``dct:spatial`` value, the geometries move to a blank ``dct:Location``, and
        ``locn:geometry`` becomes a ``locn:Geometry`` node (the EU 3.0 shapes refuse a literal).
        """
        g = self.g
        for location in list(g.objects(dataset_ref, DCT.spatial)):
            if not isinstance(location, URIRef):
                continue
            own = BNode()
            for predicate in (LOCN.geometry, DCAT.bbox, DCAT.centroid):
                for value in list(g.objects(location, predicate)):
                    g.remove((location, predicate, value))
                    g.add((own, predicate, value))
            if (own, None, None) in g:
                g.add((own, RDF.type, DCT.Location))
                g.add((dataset_ref, DCT.spatial, own))
        for location in list(g.objects(dataset_ref, DCT.spatial)):
            literals = [o for o in g.objects(location, LOCN.geometry) if isinstance(o, Literal)]
            if not literals:
                continue
            node = BNode()
            g.add((node, RDF.type, LOCN.Geometry))
            for literal in literals:
                g.remove((location, LOCN.geometry, literal))
                predicate = GSP.asWKT if literal.datatype == GSP.wktLiteral else GSP.asGeoJSON
                g.add((node, predicate, literal))
            g.add((location, LOCN.geometry, node))

    def _language_iris(self, subject: URIRef) -> None:
        g = self.g
        for language in list(g.objects(subject, DCT.language)):
            if isinstance(language, URIRef):
                g.add((language, RDF.type, DCT.LinguisticSystem))

    def _file_type(self, distribution: URIRef, resource: dict[str, Any]) -> None:
        """dct:format as an EU file-type IRI, dcat:mediaType as an IANA IRI."""
        g = self.g
        file_type = vocabularies.file_type(resource.get("format"))
        if file_type:
            g.remove((distribution, DCT["format"], None))
            g.add((distribution, DCT["format"], URIRef(file_type)))
            g.add((URIRef(file_type), RDF.type, DCT.MediaTypeOrExtent))
        for media_type in list(g.objects(distribution, DCAT.mediaType)):
            text = str(media_type)
            if isinstance(media_type, Literal) or not text.startswith(IANA):
                g.remove((distribution, DCAT.mediaType, media_type))
                if "/" in text and not text.startswith("http"):
                    iri = URIRef(IANA + text.split(";")[0].strip())
                    g.add((distribution, DCAT.mediaType, iri))
                    g.add((iri, RDF.type, DCT.MediaType))

    def _checksum_algorithm(self, distribution: URIRef) -> None:
        """The portal's checksums are SHA-256 (the pipelines and CKAN uploads write hex digests)."""
        g = self.g
        for checksum in g.objects(distribution, SPDX.checksum):
            if (checksum, SPDX.algorithm, None) not in g:
                g.add((checksum, SPDX.algorithm, SHA256))
                g.add((SHA256, RDF.type, SPDX.ChecksumAlgorithm))

    def graph_from_catalog(self, catalog_dict: dict[str, Any], catalog_ref: URIRef) -> None:
        super().graph_from_catalog(catalog_dict, catalog_ref)
        g = self.g
        g.bind("dcatde", DCATDE)
        if not g.value(catalog_ref, DCT.description):
            g.add((catalog_ref, DCT.description, Literal(tk.config.get("ckanext.chemnitz.dcat.catalog_description"))))
        publisher = URIRef(tk.config.get("ckanext.chemnitz.dcat.catalog_publisher_uri"))
        g.add((publisher, RDF.type, FOAF.Agent))
        g.add((publisher, FOAF.name, Literal(tk.config.get("ckanext.chemnitz.dcat.catalog_publisher_name"))))
        g.add((catalog_ref, DCT.publisher, publisher))
        self._language_iris(catalog_ref)
        language = tk.config.get("ckan.locale_default", "de")
        g.remove((catalog_ref, DCT.language, Literal(language)))
        if language == "de":
            g.add((catalog_ref, DCT.language, URIRef(vocabularies.EU + "language/DEU")))
        g.add((catalog_ref, DCAT.themeTaxonomy, URIRef(vocabularies.VOCABULARY["theme"].scheme)))
        spatial = catalogue_area(tk.config.get(REGIONAL_KEY))
        g.add((catalog_ref, DCT.spatial, spatial))
        g.add((spatial, RDF.type, DCT.Location))

    def _last_catalog_modification(self) -> str | None:
        """The catalogue's last change from the stored records (ckanext-dcat runs a search for it)."""
        if not store.available():
            return super()._last_catalog_modification()
        modified = store.catalogue_modified()
        return modified.isoformat() if modified else None

    # -------------------------------------------------------------------- parse
    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> dict[str, Any]:
        self._geometry_literals(dataset_ref)
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        for key, predicate in (
            ("contributor_id", DCATDE.contributorID),
            ("political_geocoding_level_uri", DCATDE.politicalGeocodingLevelURI),
            ("legal_basis", DCATDE.legalBasis),
            ("quality_process_uri", DCATDE.qualityProcessURI),
        ):
            value = self._object_value(dataset_ref, predicate)
            if value:
                dataset_dict[key] = value
        for key, predicate in (("maintainer", DCATDE.maintainer), ("originator", DCATDE.originator)):
            agent = self._object(dataset_ref, predicate)
            if agent is not None:
                dataset_dict[key] = self._object_value(agent, FOAF.name)
                mail = self._object_value(agent, FOAF.mbox)
                if key == "maintainer" and mail:
                    dataset_dict["maintainer_email"] = self._without_mailto(mail)
        hvd = sorted(str(o) for o in self.g.objects(dataset_ref, DCATAP.hvdCategory))
        if hvd:
            dataset_dict["hvd_category"] = hvd
        legislation = sorted(
            str(o)
            for o in self.g.objects(dataset_ref, DCATAP.applicableLegislation)
            if not hvd or str(o) != vocabularies.HVD_LEGISLATION
        )
        if legislation:
            dataset_dict["applicable_legislation"] = legislation
        else:
            dataset_dict.pop("applicable_legislation", None)
        for field in (self._dataset_schema or {}).get("dataset_fields", []):
            value = dataset_dict.get(field["field_name"])
            if field.get("multiple") and isinstance(value, str):
                dataset_dict[field["field_name"]] = self._read_list_value(value)
        for extra in list(dataset_dict.get("extras", [])):
            if extra["key"] in ("contributor_id", "hvd_category", "applicable_legislation"):
                dataset_dict["extras"].remove(extra)
        self._parse_distributions(dataset_dict, dataset_ref)
        self._parse_geometries(dataset_dict, dataset_ref)
        series = self._series_of_this_catalogue(dataset_ref)
        if series:
            dataset_dict["in_series"] = series
        if (dataset_ref, RDF.type, DCAT.DatasetSeries) in self.g:
            dataset_dict["type"] = "dataset_series"
        return dataset_dict

    def _series_of_this_catalogue(self, dataset_ref: URIRef) -> list[str]:
        """Ids of the dataset's series (dcat:inSeries) that this portal holds.

        A series URI is ``{catalogue}/dataset/{id}``; series of other catalogues have no id here,
        so a harvesting site does not get references to series it does not have.
        """
        prefix = catalog_uri().rstrip("/") + "/dataset/"
        return sorted(
            str(series)[len(prefix) :]
            for series in self.g.objects(dataset_ref, DCAT.inSeries)
            if str(series).startswith(prefix)
        )

    def _parse_geometries(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """ckanext-dcat reads only uri, text and geometry of a location: add bbox and centroid."""
        spatial = self._spatial(dataset_ref, DCT.spatial)
        areas = dataset_dict.get("spatial_coverage") or []
        if not areas:
            return
        for key in ("geom", "bbox", "centroid"):
            if spatial.get(key) and not areas[0].get(key):
                areas[0][key] = json.dumps(json.loads(spatial[key]), separators=(",", ":"))

    def _geometry_literals(self, dataset_ref: URIRef) -> None:
        """Undo ``_geometry_nodes`` so ckanext-dcat's parser finds the GeoJSON literal again."""
        g = self.g
        for location in list(g.objects(dataset_ref, DCT.spatial)):
            for node in list(g.objects(location, LOCN.geometry)):
                if isinstance(node, Literal):
                    continue
                for predicate in (GSP.asGeoJSON, GSP.asWKT):
                    for literal in g.objects(node, predicate):
                        g.add((location, LOCN.geometry, literal))
                g.remove((location, LOCN.geometry, node))

    def _parse_distributions(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        attribution = None
        by_uri = {str(d): d for d in self.g.objects(dataset_ref, DCAT.distribution)}
        for resource in dataset_dict.get("resources", []):
            distribution = by_uri.get(resource.get("uri", ""))
            if distribution is None:
                continue
            attribution = attribution or self._object_value(distribution, DCATDE.licenseAttributionByText)
            file_type = self._object(distribution, DCT["format"])
            label = vocabularies.format_label(str(file_type)) if isinstance(file_type, URIRef) else None
            if label:
                resource["format"] = label
            media_type = self._object(distribution, DCAT.mediaType)
            if media_type is not None and str(media_type).startswith(IANA):
                resource["mimetype"] = str(media_type)[len(IANA) :]
            if resource.get("hash_algorithm") == str(SHA256):
                del resource["hash_algorithm"]
        if attribution:
            dataset_dict["license_attribution_by_text"] = attribution


class DCATAPDE2Profile(DCATAPDEProfile):
    """DCAT-AP.de 2.0 flavour for harvesters that still validate against 2.0 (``?profiles=dcat_ap_de_2``):
    the 3.0 graph, turned into 2.0 where the versions disagree (``version2.py``)."""

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        super().graph_from_dataset(dataset_dict, dataset_ref)
        version2.from_3_0(self.g, dataset_ref)
