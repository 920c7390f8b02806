"""Conformance of the portal's RDF with the official DCAT-AP.de shapes (pyshacl).

Loaded as the standards' README prescribes: the shapes of a profile into one shapes graph, the
controlled vocabularies parsed into the *data* graph (pyshacl resolves no web imports and its
``ont_graph`` ignores ``skos:inScheme``). Shapes and vocabularies are parsed once per process.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import pyshacl
import rdflib
from rdflib.namespace import SH

from ckanext.chemnitz.dcat.vocabularies import STANDARDS

PROFILES = {
    "3.0": [
        "shacl/dcat-ap-eu/3.0.0/dcat-ap-SHACL.ttl",
        "shacl/dcat-ap-de/3.0/dcat-ap-SHACL-DE.ttl",
        "shacl/dcat-ap-de/3.0/dcat-ap-de-deprecated.ttl",
        "shacl/dcat-ap-de/3.0/dcat-ap-spec-german-additions.ttl",
        "shacl/dcat-ap-de/3.0/dcat-ap-de-controlledvocabularies.ttl",
    ],
    "2.0": [
        "shacl/dcat-ap-de/2.0/dcat-ap_2.1.1_shacl_shapes.ttl",
        "shacl/dcat-ap-de/2.0/dcat-ap-spec-german-messages.ttl",
        "shacl/dcat-ap-de/2.0/dcat-ap-spec-german-additions.ttl",
        "shacl/dcat-ap-de/2.0/dcat-ap-de-deprecated.ttl",
    ],
}


@dataclass
class Finding:
    severity: str  # Violation | Warning | Info
    focus: str
    path: str
    message: str


@dataclass
class Report:
    profile: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(finding.severity for finding in self.findings)

    @property
    def conforms(self) -> bool:
        return self.counts["Violation"] == 0

    def summary(self) -> str:
        counts = self.counts
        return (
            f"DCAT-AP.de {self.profile}: {counts['Violation']} violations, "
            f"{counts['Warning']} warnings, {counts['Info']} infos"
        )


@cache
def shapes(profile: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in PROFILES[profile]:
        graph.parse(STANDARDS / path)
    return graph


@cache
def _vocabulary_triples() -> tuple[tuple, ...]:
    graph = rdflib.Graph()
    for path in sorted((STANDARDS / "vocabularies").rglob("*")):
        if path.suffix in (".rdf", ".ttl"):
            graph.parse(path)
    return tuple(graph)


def validate(data: rdflib.Graph, profile: str = "3.0") -> Report:
    """Validate ``data`` (left unchanged) against a DCAT-AP.de profile, ``"3.0"`` or ``"2.0"``."""
    graph = rdflib.Graph()
    for triple in data:
        graph.add(triple)
    for triple in _vocabulary_triples():
        graph.add(triple)
    _, results, _ = pyshacl.validate(graph, shacl_graph=shapes(profile), inference="none", allow_warnings=True)
    report = Report(profile)
    for result in results.objects(None, SH.result):  # top level only: nested sh:detail results are not findings
        severity = results.value(result, SH.resultSeverity)
        report.findings.append(
            Finding(
                severity=str(severity).rsplit("#", 1)[-1],
                focus=str(results.value(result, SH.focusNode)),
                path=str(results.value(result, SH.resultPath) or ""),
                message=str(results.value(result, SH.resultMessage) or ""),
            )
        )
    return report
