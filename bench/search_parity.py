"""Search parity: the portal's queries answered alike by the PostgreSQL backend and by the SolrCloud.

The query set (``queries``) is what visitors and clients of the portal ask: German words and their
inflections, umlauts and ß written out or not, phrases, fielded and boolean queries, every facet of
the search page as ``fq`` (with the most and the least frequent value the catalogue holds), sort
orders, deep paging, ``ext_bbox`` and ``ext_district``, and private datasets as an anonymous visitor
and as an editor of their organization. Each answer is kept as its hit count, the names of its first
ten datasets and, where facets are asked for, the facet counts (``Answer``); two answers are
compared by equal counts, equal facet counts and the overlap of their first ten datasets.

In ``make bench``, ``bench/search_backends.py`` compares the two backends in one process on the
generated catalogue. Against a running portal (``make demo`` before and after switching its
backend, ``docs/operations.md``), ``python -m bench.search_parity snapshot URL FILE`` stores the
answers over HTTP and ``python -m bench.search_parity compare FILE FILE`` compares two snapshots;
the first snapshot's facet values are reused by the later ones, so every snapshot asks the same.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests

TOP = 10
GOAL_OVERLAP = 0.8
# The search page's facets (plugin.dataset_facets) and CKAN's groups.
FACETS = [
    "theme", "organization", "tags", "res_format", "license_id", "hvd_category", "stadtteil",
    "metadata_quality_rating", "groups",
]  # fmt: skip
KASSBERG_BOX = "12.895,50.825,12.925,50.845"  # around the Kaßberg's schools
KLAFFENBACH_BOX = "12.87,50.75,12.90,50.77"  # far south of the city
EDITOR = "editor"  # Query.user: an editor of one organization (which one: the runner's choice)


@dataclass(frozen=True)
class Query:
    """One ``package_search`` as a client sends it (string values, JSON for lists)."""

    kind: str
    params: dict[str, Any]
    user: str = ""  # "" anonymous, EDITOR

    @property
    def label(self) -> str:
        shown = " ".join(f"{key}={value}" for key, value in self.params.items() if key != "rows")
        return f"{shown or '(all)'}{' as editor' if self.user else ''}"


@dataclass
class Answer:
    count: int
    top: list[str]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    error: str = ""


Search = Callable[[Query], Answer]


def queries(facet_values: dict[str, list[str]]) -> list[Query]:
    """The parity query set; ``facet_values``: per facet field the values to filter by (``fq``)."""
    words = [
        "Schule", "Schulen", "Spielplatz", "Spielplätze", "Parkhaus", "Parkhäuser", "Kita", "Kitas",
        "Strassenbaume", "Straßenbäume", "Luftqualitat", "Kaßberg", "Kassberg", "Wahlergebnis",
        "Schulen in Kaßberg", "Schulen in", "in der", "Einwohner nach Altersgruppen", "Ladesäule Elektrofahrzeug",
        "Schul*", "Bildung", "Tiefbauamt", "Denkmale OR Friedhöfe", "Haltestellen NOT Zentrum",
    ]  # fmt: skip
    found: list[Query] = [Query("word", {"q": word}) for word in words]
    found += [
        Query("phrase", {"q": '"Schulen Kaßberg"'}),
        Query("phrase", {"q": '"Datenlizenz Deutschland"'}),
        Query("phrase", {"q": '"Stadtverwaltung Chemnitz"'}),
        Query("field", {"q": "title:Schulen"}),
        Query("field", {"q": "notes:Fachverfahren"}),
        Query("field", {"q": "res_description:GeoJSON"}),
        Query("field", {"q": "name:datensatz-000*"}),
        Query("field", {"q": "metadata_modified:[2025-01-01T00:00:00Z TO *]"}),
    ]
    for facet in FACETS:
        for value in facet_values.get(facet, []):
            found.append(Query("facet fq", {"fq": f'{facet}:"{value}"'}))
    found += [
        Query("facets", {"facet.field": json.dumps(FACETS), "facet.limit": "-1"}),
        Query("facets", {"q": "Schule", "facet.field": json.dumps(FACETS), "facet.limit": "-1"}),
    ]
    for sort in ("metadata_modified desc", "metadata_created asc", "name desc", "title_string asc"):
        found.append(Query("sort", {"sort": sort}))
    found.append(Query("sort", {"q": "Parkplatz", "sort": "metadata_modified asc"}))
    found += [
        Query("paging", {"sort": "name asc", "start": "5000", "rows": "20"}),
        Query("paging", {"q": "Schule", "sort": "metadata_modified desc", "start": "100", "rows": "20"}),
        Query("place", {"ext_bbox": KASSBERG_BOX}),
        Query("place", {"ext_bbox": KLAFFENBACH_BOX}),
        Query("place", {"ext_bbox": KASSBERG_BOX, "q": "Schule"}),
        Query("place", {"ext_district": "Kaßberg"}),
        Query("place", {"ext_district": "Zentrum", "fq": 'res_format:"GeoJSON"'}),
        Query("private", {"include_private": "true"}),
        Query("private", {"include_private": "true"}, EDITOR),
        Query("private", {"include_private": "true", "q": "Schule"}, EDITOR),
        Query("private", {"include_private": "true", "fq": "capacity:private"}, EDITOR),
        Query("private", {"include_private": "true", "fq": "capacity:private"}),
    ]
    return found


def facet_values(answer: Answer) -> dict[str, list[str]]:
    """The most and the least frequent value of each facet in ``answer`` (the whole catalogue's facets)."""
    picked = {}
    for facet, counts in answer.facets.items():
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        picked[facet] = list(dict.fromkeys([ordered[0][0], ordered[-1][0]])) if ordered else []
    return picked


def catalogue_facets() -> Query:
    return Query("facets", {"facet.field": json.dumps(FACETS), "facet.limit": "-1", "rows": "0"})


def snapshot(search: Search, values: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Every query's answer through ``search``; the facet values from the catalogue unless given."""
    if values is None:
        values = facet_values(search(catalogue_facets()))
    asked = queries(values)
    return {
        "facet_values": values,
        "kinds": {query.label: query.kind for query in asked},
        "answers": {query.label: asdict(search(query)) for query in asked},
    }


def answer_of(result: dict[str, Any], rows: int) -> Answer:
    facets = {name: {item["name"]: item["count"] for item in facet["items"]}
              for name, facet in (result.get("search_facets") or {}).items()}  # fmt: skip
    return Answer(result["count"], [d["name"] for d in result["results"][:rows]], facets)


def _with_rows(params: dict[str, Any]) -> dict[str, Any]:
    return {"rows": str(TOP), **params}


def in_process(editor: str) -> Search:
    """``package_search`` called in this process (a request context), ``editor`` the editor's user name."""
    from ckan.lib.search.common import SearchError
    from ckan.logic import ValidationError, get_action

    def search(query: Query) -> Answer:
        params = _with_rows(query.params)
        context = {"user": editor if query.user == EDITOR else "", "ignore_auth": False}
        try:
            return answer_of(get_action("package_search")(context, dict(params)), int(params["rows"]))
        except (SearchError, ValidationError) as error:
            return Answer(-1, [], error=str(error)[:200])

    return search


def over_http(url: str, token: str = "") -> Search:
    """``package_search`` through the Action API of the portal at ``url``; ``token``: an editor's API token."""
    session = requests.Session()

    def search(query: Query) -> Answer:
        params = _with_rows(query.params)
        headers = {"Authorization": token} if query.user == EDITOR and token else {}
        reply = session.get(
            f"{url.rstrip('/')}/api/3/action/package_search", params=params, headers=headers, timeout=60
        )
        body = reply.json()
        if not body.get("success"):
            return Answer(-1, [], error=f"HTTP {reply.status_code}: {json.dumps(body.get('error'))[:200]}")
        return answer_of(body["result"], int(params["rows"]))

    return search


@dataclass
class Row:
    label: str
    kind: str
    counts: tuple[int, int]
    overlap: float | None  # share of the first ten found by both; None when neither found any
    same_order: bool
    facets_equal: bool

    @property
    def agrees(self) -> bool:
        return self.counts[0] == self.counts[1] and self.counts[0] >= 0 and self.facets_equal


def compare(first: dict[str, Any], second: dict[str, Any]) -> list[Row]:
    """Row per query of two snapshots (the queries of ``first``)."""
    rows = []
    for label, a in first["answers"].items():
        b = second["answers"].get(label, {"count": -1, "top": [], "facets": {}})
        longest = max(len(a["top"]), len(b["top"]))
        overlap = len(set(a["top"]) & set(b["top"])) / longest if longest else None
        rows.append(Row(label, first["kinds"][label], (a["count"], b["count"]), overlap, a["top"] == b["top"],
                        a["facets"] == b["facets"]))  # fmt: skip
    return rows


def summary(rows: list[Row]) -> dict[str, Any]:
    overlaps = [row.overlap for row in rows if row.overlap is not None]
    return {
        "queries": len(rows),
        "same_counts": sum(row.agrees for row in rows),
        "same_order": sum(row.same_order for row in rows),
        "mean_overlap": sum(overlaps) / len(overlaps) if overlaps else 1.0,
        "below_goal": [row for row in rows if row.overlap is not None and row.overlap < GOAL_OVERLAP],
        "differing": [row for row in rows if not row.agrees],
    }


def markdown(rows: list[Row], names: tuple[str, str], context: str) -> str:
    """The comparison as the table of docs/search.md."""
    totals = summary(rows)
    lines = [
        context,
        "",
        f"**{totals['same_counts']} of {totals['queries']} queries** have the same hit count (and facet counts) "
        f"on {names[0]} and {names[1]}; the first ten datasets are the same in the same order for "
        f"{totals['same_order']}; mean top-10 overlap {totals['mean_overlap']:.2f} "
        f"({len(totals['below_goal'])} queries below the goal of {GOAL_OVERLAP}).",
        "",
        f"| kind | query | hits {names[0]} | hits {names[1]} | top-10 overlap | same order |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        label = row.label.replace("|", "\\|")
        if len(label) > 90:
            label = label[:87] + "…"
        overlap = "–" if row.overlap is None else f"{row.overlap:.1f}"
        mark = "" if row.agrees else " ✘"
        lines.append(
            f"| {row.kind} | `{label}` | {row.counts[0]:,} | {row.counts[1]:,}{mark} | {overlap} | "
            f"{'yes' if row.same_order else 'no'} |"
        )
    return "\n".join(lines)


def _snapshot_command(args: argparse.Namespace) -> int:
    values = json.loads(args.reuse.read_text())["facet_values"] if args.reuse else None
    taken = snapshot(over_http(args.url, args.token), values)
    args.file.write_text(json.dumps(taken, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(taken['answers'])} answers of {args.url} in {args.file}")
    return 0


def _compare_command(args: argparse.Namespace) -> int:
    first, second = (json.loads(path.read_text(encoding="utf-8")) for path in (args.first, args.second))
    rows = compare(first, second)
    print(markdown(rows, (args.first.stem, args.second.stem), f"{args.first} against {args.second}:"))
    return 0 if all(row.agrees for row in rows) else 1


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    taking = commands.add_parser("snapshot", help="store the answers of the portal at URL in FILE")
    taking.add_argument("url")
    taking.add_argument("file", type=Path)
    taking.add_argument("--token", default="", help="API token of an editor (the private datasets as editor)")
    taking.add_argument("--reuse", type=Path, help="an earlier snapshot whose facet values to ask for")
    taking.set_defaults(run=_snapshot_command)
    comparing = commands.add_parser("compare", help="compare two snapshots; exit 1 when a count differs")
    comparing.add_argument("first", type=Path)
    comparing.add_argument("second", type=Path)
    comparing.set_defaults(run=_compare_command)
    args = parser.parse_args(list(argv) if argv is not None else None)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
