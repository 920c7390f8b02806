"""DCAT-AP.de 2.0 from a 3.0 graph: all the ``dcat_ap_de_2`` profile (``profile.py``) adds, and how
``store.py`` makes the 2.0 pieces from the 3.0 graph it builds once.

The two versions disagree on two points, so one document cannot satisfy both: 2.0 wants
``dcat:byteSize`` as ``xsd:decimal`` (3.0: ``xsd:nonNegativeInteger``) and ``adms:status`` from
the ADMS list (3.0: the EU distribution-status table), and checksum algorithms from the
dcat-ap.de list (3.0: SPDX).
"""

from __future__ import annotations

from decimal import Decimal

from ckanext.dcat.profiles import ADMS, DCAT, SPDX
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

SHA256 = URIRef("http://spdx.org/rdf/terms#checksumAlgorithm_sha256")  # 3.0 deprecates the dcat-ap.de list
SHA256_DE2 = URIRef("http://dcat-ap.de/def/hashAlgorithms/sha/256")  # what the 2.0 shapes require
ADMS_STATUS = {  # EU distribution status (3.0) -> ADMS status (what the 2.0 shapes require)
    "COMPLETED": "Completed",
    "DEVELOP": "UnderDevelopment",
    "DEPRECATED": "Deprecated",
    "WITHDRAWN": "Withdrawn",
}


def from_3_0(g: Graph, dataset_ref: URIRef) -> None:
    """Turn the dataset's DCAT-AP.de 3.0 graph into the 2.0 flavour in place."""
    # Every size in the graph: in a catalogue built in one graph, ckanext-dcat's 3.0 profile
    # retypes the sizes of the datasets before this one as well, undoing their conversion.
    for distribution, _, size in list(g.triples((None, DCAT.byteSize, None))):
        if getattr(size, "datatype", None) != XSD.decimal:
            g.remove((distribution, DCAT.byteSize, size))
            g.add((distribution, DCAT.byteSize, Literal(Decimal(str(size)), datatype=XSD.decimal)))
    # Only this dataset's distributions: in a catalogue the graph holds the datasets before it,
    # already converted (their 2.0 status is no 3.0 code and was dropped).
    for distribution in list(g.objects(dataset_ref, DCAT.distribution)):
        for status in list(g.objects(distribution, ADMS.status)):
            code = str(status).rsplit("/", 1)[-1]
            g.remove((distribution, ADMS.status, status))
            if code in ADMS_STATUS:
                g.add((distribution, ADMS.status, URIRef("http://purl.org/adms/status/" + ADMS_STATUS[code])))
        for checksum in list(g.objects(distribution, SPDX.checksum)):
            if (checksum, SPDX.algorithm, SHA256) in g:
                g.remove((checksum, SPDX.algorithm, SHA256))
                g.add((checksum, SPDX.algorithm, SHA256_DE2))
