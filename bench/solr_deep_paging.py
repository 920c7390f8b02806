"""Solr's deep paging in isolation: synthetic CKAN-shaped documents straight into a collection, timed.

Indexing through CKAN takes about 20 minutes for 10,000 datasets (``bench/search_backends.py``); what
makes a deep page slow needs none of it. This posts documents shaped like CKAN's (``index_id``, ``id``,
``site_id``, ``name``, ``title``, text fields, ``metadata_modified`` and stored ``data_dict`` and
``validated_data_dict`` of about 11 KB together) to a fresh collection made from a configset through
Solr's HTTP API, then times the query ``package_search`` sends for a page (q=*:*, CKAN's filters, the
portal's sort with its tie-break keys) at ``start=5000`` and at ``start=0``, for ``fl=id`` and for
CKAN's ``fl=id validated_data_dict``. Giving it the configset before and after a schema change
compares the two on the same machine state (docs/search.md, *Deep paging*).

Usage, with a SolrCloud of ``scripts/solr.sh`` (here one started with ``SOLR_NAME=solr-h20
SOLR_PORT=8975``); the configset is uploaded under the collection's name:
``python -m bench.solr_deep_paging --solr http://127.0.0.1:8975/solr --conf docker/solr/conf --collection paging``
``--skip-load`` times an existing collection again.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import statistics
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

import requests

WORDS = [
    "Schule",
    "Kita",
    "Spielplatz",
    "Parkhaus",
    "Straßenbaum",
    "Luftqualität",
    "Wahlergebnis",
    "Einwohner",
    "Altersgruppe",
    "Ladesäule",
    "Haltestelle",
    "Denkmal",
    "Friedhof",
    "Bildung",
    "Tiefbauamt",
    "Umweltamt",
    "Kaßberg",
    "Sonnenberg",
    "Zentrum",
    "Bernsdorf",
    "Gablenz",
    "Datensatz",
    "Ressource",
    "Stadtverwaltung",
    "Chemnitz",
    "Fachverfahren",
    "GeoJSON",
    "Lizenz",
    "Verkehr",
    "Radweg",
]
# The query CKAN's PackageSearchQuery sends for package_search without q, with the portal's sort
# (ckanext/chemnitz/search/solr.py appends fields.TIE_BREAK to CKAN's default "score desc, metadata_modified desc").
CKAN_QUERY = [
    ("q", "*:*"),
    ("fq", "+site_id:default"),
    ("fq", "+state:active"),
    ("fq", "+permission_labels:(public)"),
    ("facet", "true"),
    ("facet.limit", "50"),
    ("facet.mincount", "1"),
    ("df", "text"),
    ("q.op", "AND"),
    ("sort", "score desc,metadata_modified desc,name asc"),
    ("wt", "json"),
]
SHAPES = {
    "start=5000, fl=id": [("start", "5000"), ("rows", "20"), ("fl", "id")],
    "start=5000, fl=id validated_data_dict (package_search)": [
        ("start", "5000"),
        ("rows", "21"),
        ("fl", "id validated_data_dict"),
    ],
    "start=0, fl=id validated_data_dict": [("start", "0"), ("rows", "21"), ("fl", "id validated_data_dict")],
}


def sentence(rng: random.Random, words: int) -> str:
    """German-looking words with numbers, so the stored documents do not compress away."""
    return " ".join(f"{rng.choice(WORDS)}{rng.randrange(1000)}" for _ in range(words))


def document(rng: random.Random, number: int) -> dict[str, Any]:
    """One dataset as CKAN indexes it: the searched fields and the whole dataset as stored JSON."""
    dataset_id = str(uuid.UUID(int=rng.getrandbits(128)))
    name = f"datensatz-{number:06d}"
    resources = [
        {"name": sentence(rng, 4), "description": sentence(rng, 30), "format": rng.choice(["CSV", "GeoJSON", "SHP"])}
        for _ in range(rng.randint(1, 5))
    ]
    dataset = {
        "id": dataset_id,
        "name": name,
        "title": sentence(rng, 5),
        "notes": sentence(rng, 80),
        "resources": resources,
        "tags": [rng.choice(WORDS) for _ in range(4)],
        "extras": [{"key": f"k{k}", "value": sentence(rng, 10)} for k in range(10)],
    }
    modified = f"20{rng.randint(18, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z"
    return {
        "index_id": hashlib.md5(f"default{dataset_id}".encode()).hexdigest(),
        "id": dataset_id,
        "site_id": "default",
        "capacity": "public",
        "state": "active",
        "entity_type": "package",
        "dataset_type": "dataset",
        "permission_labels": ["public"],
        "name": name,
        "title": dataset["title"],
        "notes": dataset["notes"],
        "text": [sentence(rng, 40)],
        "tags": dataset["tags"],
        "organization": rng.choice(["tiefbauamt", "umweltamt", "schulverwaltungsamt"]),
        "res_format": [r["format"] for r in resources],
        "res_name": [r["name"] for r in resources],
        "res_description": [r["description"] for r in resources],
        "metadata_created": modified,
        "metadata_modified": modified,
        "data_dict": json.dumps(dataset),
        "validated_data_dict": json.dumps({**dataset, "notes_html": sentence(rng, 100)}),
    }


def load(solr: str, collection: str, configset: Path, count: int) -> None:
    """A fresh collection (2 shards x 2 replicas, as scripts/solr.sh makes "ckan") with ``count`` documents."""
    admin = f"{solr}/admin"
    requests.get(f"{admin}/collections", params={"action": "DELETE", "name": collection}, timeout=120)
    requests.get(f"{admin}/configs", params={"action": "DELETE", "name": collection}, timeout=60)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(configset.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(configset))
    requests.post(
        f"{admin}/configs",
        params={"action": "UPLOAD", "name": collection},
        data=archive.getvalue(),
        headers={"Content-Type": "application/octet-stream"},
        timeout=60,
    ).raise_for_status()
    create = {"action": "CREATE", "name": collection, "collection.configName": collection, "numShards": 2}
    create |= {"replicationFactor": 2, "waitForFinalState": "true"}
    requests.get(f"{admin}/collections", params=create, timeout=300).raise_for_status()
    rng = random.Random(20)
    documents = [document(rng, number) for number in range(count)]
    started = time.perf_counter()
    update = f"{solr}/{collection}/update"
    for first in range(0, count, 1000):
        requests.post(update, json=documents[first : first + 1000], timeout=600).raise_for_status()
    requests.post(update, params={"commit": "true"}, json={}, timeout=600).raise_for_status()
    stored = sum(len(d["data_dict"]) + len(d["validated_data_dict"]) for d in documents) // count
    print(f"{count} documents ({stored:,} bytes of stored JSON each) in {time.perf_counter() - started:.0f} s")


def time_queries(solr: str, collection: str, runs: int) -> None:
    """p50/p95 of each shape over ``runs`` requests after three for warm-up, with Solr's own QTime."""
    with requests.Session() as session:

        def ask(params: list[tuple[str, str]]) -> dict[str, Any]:
            answer = session.get(f"{solr}/{collection}/select", params=params, timeout=120)
            answer.raise_for_status()
            return answer.json()

        for label, shape in SHAPES.items():
            for _ in range(3):
                ask(CKAN_QUERY + shape)
            took, qtimes, hits = [], [], 0
            for _ in range(runs):
                started = time.perf_counter()
                answer = ask(CKAN_QUERY + shape)
                took.append((time.perf_counter() - started) * 1000)
                qtimes.append(answer["responseHeader"]["QTime"])
                hits = answer["response"]["numFound"]
            took.sort()
            p95 = took[max(0, round(0.95 * runs) - 1)]
            print(
                f"{label}: p50 {statistics.median(took):.1f} ms, p95 {p95:.1f} ms "
                f"(Solr's QTime p50 {statistics.median(qtimes):.0f} ms; {hits} hits)"
            )


def load_average() -> str:
    """The machine is shared: every figure goes with the load it was measured under."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--solr", default="http://127.0.0.1:8983/solr", help="a SolrCloud node's base URL")
    parser.add_argument("--conf", type=Path, default=Path("docker/solr/conf"), help="the configset to test")
    parser.add_argument("--collection", default="paging")
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--skip-load", action="store_true", help="time the collection as it is")
    args = parser.parse_args()
    if not args.skip_load:
        load(args.solr, args.collection, args.conf, args.documents)
    print(f"load average before: {load_average()}")
    time_queries(args.solr, args.collection, args.runs)
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
