"""DCAT benchmark: ``/catalog.ttl`` assembled from the stored RDF of the ``dcat_ap_de`` and
``dcat_ap_de_2`` profiles against ckanext-dcat's stock ``euro_dcat_ap_3`` (a graph built per
request) on the same catalogue, in the same run, at every catalogue size asked for (``make bench``:
10,000 and 100,000 datasets).

Requests go through the portal's WSGI application in-process (CKAN's full request cycle: routing,
the view, SQL or ``package_search``, serialisation; no network). Measured per size, each in a
process of its own: one page of 100 datasets (``repeat`` times per profile, interleaved so all see
the same machine state, on pages spread over the whole catalogue: deep pages cost the most), a
conditional request answered 304, the whole catalogue page by page with this process's resident
memory after every page (it must stay flat: pages are streamed one at a time), what making one
dataset's stored pieces costs, and up to 10,000 datasets SHACL conformance of every page
(DCAT-AP.de 3.0 for ``dcat_ap_de``, 2.0 for ``dcat_ap_de_2``, the official shapes; a harvester
reads page by page too), validated in two processes at nice 10. The timed parts of every size run
first, one after the other, and the SHACL checks after them: on a shared machine the timings then
fall into one stretch, which pyshacl's minutes of CPU per size do not interrupt.

``--parts timing`` or ``--parts shacl`` runs one of them alone (the timings at a quiet moment, the
SHACL check when the CPU is free). Each part's results are kept in ``var/dcat-bench/``; the report
takes a part not run now from there only if it was measured on the same catalogue with the same
code (a fingerprint of the catalogue's last change, its public datasets, the pieces' generation and
the DCAT code), and says when it was measured.

The index (and with it every dataset's stored pieces) is rebuilt with the portal's plugins unless
the database already holds exactly this catalogue fully indexed with current pieces (a scratch
database kept from an earlier run).

Usage (from ``make bench``; loads the generated catalogue unless it is there):
``python -m bench.dcat_bench [--datasets N ...] [--repeat N] [--database NAME ...]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import ckan_app, report

ROOT = Path(__file__).resolve().parents[1]
STOCK = "euro_dcat_ap_3"
PROFILES = ("dcat_ap_de", "dcat_ap_de_2", STOCK)
SHAPES = {"dcat_ap_de": "3.0", "dcat_ap_de_2": "2.0"}  # stored profile -> DCAT-AP.de shapes
PAGE_SIZE = 100  # ckanext.dcat.datasets_per_page default
TARGET_PAGE_P95_MS = 50.0
TARGET_FULL_S = 5.0
FULL_SIZE = 10_000  # the whole-catalogue target's size; also the largest catalogue checked with SHACL
STOCK_FULL_PAGES = 100  # stock ckanext-dcat's whole catalogue only up to this many pages (about 1 s each)
BUILD_SAMPLE = 100  # datasets whose pieces are made again to time it
PARTS = ("timing", "shacl")  # what a child process measures of one size
KEPT = ROOT / "var" / "dcat-bench"  # each part's latest results
_DATASET = re.compile(rb"\ba dcat:Dataset\b|\brdf:type dcat:Dataset\b|\bdcat:Dataset\s*[;.]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=20, help="timed requests of a page per profile")
    parser.add_argument(
        "--database", nargs="+", default=[], help="CKAN database(s) instead of var/bench.ini's: one, or one per size"
    )
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS), help="measure only these now")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)  # one size, measured by a child process
    parser.add_argument("--part", choices=PARTS, default="timing", help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args(argv)
    if len(args.database) not in (0, 1, len(args.datasets)):
        parser.error("--database: give one database, or one for each size")
    if args.results:
        database = args.database[0] if args.database else None
        measure = _measure if args.part == "timing" else _measure_conformance
        args.results.write_text(json.dumps(measure(args.datasets[0], args.repeat, database)))
        return 0

    databases = args.database * len(args.datasets) if len(args.database) == 1 else args.database
    sizes = [(size, databases[n] if databases else None) for n, size in enumerate(args.datasets)]
    measured = {(size, part): _measured_apart(size, args.repeat, database, part)
                for part in PARTS if part in args.parts
                for size, database in sizes if part == "timing" or size <= FULL_SIZE}  # fmt: skip
    results = []
    for size, database in sizes:
        found = measured.get((size, "timing")) or _kept(size, database, "timing")
        checked = measured.get((size, "shacl")) or (_kept(size, database, "shacl") if size <= FULL_SIZE else None)
        if found is None:
            print(f"Results kept in {KEPT}; no timings of {size:,} datasets yet (--parts timing), no report written.")
            return 0
        found["shacl"] = checked if checked and checked["fingerprint"] == found["fingerprint"] else None
        results.append(found)
    markdown = _markdown(results, args.repeat)
    print(markdown)
    report.write_section(args.report, "dcat", markdown, title="DCAT catalogue")
    return 0


def _measured_apart(size: int, repeat: int, database: str | None, part: str) -> dict[str, Any]:
    """A part of one size measured in a process of its own (its own database connection, its own memory)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as results:
        command = [sys.executable, "-m", "bench.dcat_bench", "--datasets", str(size), "--repeat", str(repeat),
                   "--results", results.name, "--part", part,
                   *(["--database", database] if database else [])]  # fmt: skip
        subprocess.run(command, check=True, cwd=ROOT)
        found = json.loads(Path(results.name).read_text())
    KEPT.mkdir(parents=True, exist_ok=True)
    _kept_file(size, database, part).write_text(json.dumps(found))
    return found


def _kept_file(size: int, database: str | None, part: str) -> Path:
    return KEPT / f"{size}-{database or 'bench'}-{part}.json"


def _kept(size: int, database: str | None, part: str) -> dict[str, Any] | None:
    """The results of a part measured by an earlier run, if any."""
    kept = _kept_file(size, database, part)
    return json.loads(kept.read_text()) if kept.is_file() else None


def _fingerprint() -> str:
    """What the pages are made of: the catalogue's last change, its public datasets, the pieces'
    generation and the code that serves the pages; equal fingerprints, equal pages."""
    import ckan.model as model
    import sqlalchemy as sa

    from ckanext.chemnitz.dcat import pieces, store

    code = b"".join(path.read_bytes() for path in sorted(Path(store.__file__).parent.glob("*.py")))
    state = model.Session.execute(
        sa.text(f"SELECT count(*), max(p.metadata_modified) FROM package p WHERE {store.PUBLIC}")
    ).one()  # fmt: skip
    parts = [str(store.catalogue_modified()), *map(str, state), pieces.generation(), hashlib.sha1(code).hexdigest()]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def _measure(size: int, repeat: int, database: str | None) -> dict[str, Any]:
    from werkzeug.test import Client

    app = ckan_app.load_app(database=database)
    with app._wsgi_app.test_request_context():
        public, rebuild_seconds = _index_catalogue(size)
        build_ms = _build_cost()
        fingerprint = _fingerprint()
    client = Client(app)
    pages = max(1, math.ceil(public / PAGE_SIZE))
    started, load = _now(), os.getloadavg()[0]
    return {
        "fingerprint": fingerprint,
        "load": load,
        "started": started,
        "datasets": size,
        "public": public,
        "pages": pages,
        "rebuild_seconds": rebuild_seconds,
        "build_ms": build_ms,
        "page": _page_of_100(client, public, pages, repeat),
        "not_modified": _not_modified(client, repeat),
        "full": {
            profile: _whole_catalogue(client, profile, pages)
            for profile in ("dcat_ap_de", STOCK)
            if profile != STOCK or pages <= STOCK_FULL_PAGES
        },
        "ended": _now(),
        "load_end": os.getloadavg()[0],
    }


def _measure_conformance(size: int, _repeat: int, database: str | None) -> dict[str, Any]:
    """SHACL conformance of every page of the catalogue the timed part measured, per stored profile."""
    from ckan.logic import get_action
    from werkzeug.test import Client

    app = ckan_app.load_app(database=database)
    with app._wsgi_app.test_request_context():
        public = get_action("package_search")({"user": "", "ignore_auth": False}, {"rows": 0})["count"]
        fingerprint = _fingerprint()
    client = Client(app)
    pages = max(1, math.ceil(public / PAGE_SIZE))
    checked = {profile: _conformance(client, profile, pages) for profile in SHAPES}
    return {"fingerprint": fingerprint, "profiles": checked}


def _now() -> str:
    return time.strftime("%H:%M", time.gmtime())


def _index_catalogue(count: int) -> tuple[int, float | None]:
    """Public datasets, and the seconds of the index rebuild with the portal's plugins (None when
    the database held this catalogue fully indexed with current pieces). The search benchmark
    indexes with the search backend alone, without the scheming fields DCAT needs."""
    from ckan.logic import get_action

    loaded = ckan_app.ensure_catalogue(count)
    public = get_action("package_search")({"user": "", "ignore_auth": False}, {"rows": 0})["count"]
    seconds = None
    if loaded or not _pieces_complete(public):
        seconds = ckan_app.rebuild_index()
        public = get_action("package_search")({"user": "", "ignore_auth": False}, {"rows": 0})["count"]
    _vacuum()
    return public, seconds


def _vacuum() -> None:
    """Statistics and visibility of the freshly loaded rows, as autovacuum would provide them later:
    counting the public datasets reads the catalogue's index alone only where rows are all-visible."""
    import ckan.model as model
    import sqlalchemy as sa

    from ckanext.chemnitz.dcat import store

    with model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("package", store.RECORD, store.PIECE):
            connection.execute(sa.text(f"VACUUM ANALYZE {table}"))


def _pieces_complete(indexed: int) -> bool:
    """Every public dataset is in the search index and has current pieces in every profile and format."""
    import ckan.model as model
    import sqlalchemy as sa

    from ckanext.chemnitz.dcat import pieces, store

    public = model.Session.execute(sa.text(f"SELECT count(*) FROM package p WHERE {store.PUBLIC}")).scalar_one()
    current = model.Session.execute(
        sa.text(f"""SELECT count(*) FROM package p JOIN {store.RECORD} r ON r.package_id = p.id
                    JOIN {store.PIECE} pc ON pc.package_id = p.id
                    WHERE {store.PUBLIC} AND NOT r.stale AND r.source_modified = p.metadata_modified
                      AND pc.generation = :generation"""),
        {"generation": pieces.generation()},
    ).scalar_one()  # fmt: skip
    return indexed == public and current == public * len(pieces.PROFILES) * len(pieces.PIECE_FORMATS)


def _build_cost() -> float:
    """Median CPU milliseconds of making one dataset's pieces (both profiles, three formats), as the
    index hook does, over a sample of the catalogue (``package_show`` not counted)."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa

    from ckanext.chemnitz.dcat import pieces, store

    ids = model.Session.execute(
        sa.text(f"SELECT p.id FROM package p WHERE {store.PUBLIC} ORDER BY p.name LIMIT :n"), {"n": BUILD_SAMPLE}
    ).scalars()
    shown = [tk.get_action("package_show")({"ignore_auth": True}, {"id": id_}) for id_ in ids]
    pieces.build(shown[0])  # warm-up
    samples = []
    for dataset_dict in shown:
        started = time.process_time()
        pieces.build(dataset_dict)
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def _get(client: Any, profile: str, page: int, headers: dict[str, str] | None = None, status: int = 200) -> Any:
    answer = client.get(f"/catalog.ttl?page={page}&profiles={profile}", headers=headers or {})
    if answer.status_code != status:
        raise RuntimeError(f"/catalog.ttl page {page} ({profile}): HTTP {answer.status_code}, expected {status}")
    return answer


def _not_modified(client: Any, repeat: int) -> list[float]:
    """Milliseconds of a harvester's "anything new?" on page 1 (If-None-Match, answered 304)."""
    etag = _get(client, "dcat_ap_de", 1).headers["ETag"]
    return ckan_app.timed(lambda: lambda: _get(client, "dcat_ap_de", 1, {"If-None-Match": etag}, 304), repeat)


def spread(pages: int, count: int) -> list[int]:
    """``count`` page numbers spread evenly from the first page to the last."""
    count = max(1, min(count, pages))
    return [1 + round(n * (pages - 1) / max(1, count - 1)) for n in range(count)]


def _page_of_100(client: Any, public: int, pages: int, repeat: int) -> dict[str, list[float]]:
    """Milliseconds per profile of one page, on pages spread over the whole catalogue."""
    expected = min(PAGE_SIZE, public)
    for profile in PROFILES:
        body = _get(client, profile, 1).get_data()
        found = len(_DATASET.findall(body))
        if found != expected:
            raise RuntimeError(f"{profile}: page 1 holds {found} datasets, expected {expected}")
    sample = spread(pages, repeat)
    samples: dict[str, list[float]] = {profile: [] for profile in PROFILES}
    for run in range(-2, repeat):  # two warm-up rounds
        for profile in PROFILES:
            started = time.perf_counter()
            _get(client, profile, sample[run % len(sample)])
            if run >= 0:
                samples[profile].append((time.perf_counter() - started) * 1000)
    return samples


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _whole_catalogue(client: Any, profile: str, pages: int) -> dict[str, Any]:
    rss = [_rss_mb()]
    size = 0
    started = time.perf_counter()
    for page in range(1, pages + 1):
        size += len(_get(client, profile, page).get_data())
        rss.append(_rss_mb())
    return {"seconds": time.perf_counter() - started, "rss": rss, "bytes": size}


def _lower_priority() -> None:
    """A SHACL worker yields the CPU to anything else on the machine (its seconds are not a target)."""
    os.nice(10)


def _page_violations(task: tuple[int, bytes, str]) -> list[str]:
    """SHACL violations of one catalogue page (run in a worker process)."""
    import rdflib

    from ckanext.chemnitz.dcat import shacl

    page, body, shapes = task
    graph = rdflib.Graph().parse(data=body, format="turtle")
    findings = shacl.validate(graph, shapes).findings
    return [f"page {page}: {f.focus} {f.path}: {f.message}" for f in findings if f.severity == "Violation"]


def _conformance(client: Any, profile: str, pages: int, processes: int = 2) -> dict[str, Any]:
    """Violations of the DCAT-AP.de shapes on every page of the catalogue, page by page."""
    started, began, load = time.perf_counter(), _now(), os.getloadavg()[0]
    tasks = ((page, _get(client, profile, page).get_data(), SHAPES[profile]) for page in range(1, pages + 1))
    if pages < 2 * processes:  # a tiny catalogue: starting workers would cost more than validating
        processes = 1
        found = [_page_violations(task) for task in tasks]
    else:
        with multiprocessing.get_context("spawn").Pool(processes, initializer=_lower_priority) as pool:
            found = list(pool.imap(_page_violations, tasks))
    violations = [line for page in found for line in page]
    return {"violations": violations, "seconds": time.perf_counter() - started, "processes": processes,
            "load": load, "started": began, "ended": _now()}  # fmt: skip


def _pages(count: int) -> str:
    return f"{count:,} page" + ("" if count == 1 else "s")


def _markdown(results: list[dict[str, Any]], repeat: int) -> str:
    def verdict(ok: bool) -> str:
        return "✔" if ok else "✘"

    rows = []
    notes = []
    for found in results:
        n = f"{found['datasets']:,}"
        p50 = {profile: statistics.median(samples) for profile, samples in found["page"].items()}
        p95 = {profile: ckan_app.percentile(samples, 0.95) for profile, samples in found["page"].items()}
        page_ok = max(p95["dcat_ap_de"], p95["dcat_ap_de_2"]) <= TARGET_PAGE_P95_MS
        ours, stock = found["full"]["dcat_ap_de"], found["full"].get(STOCK)
        full_target = (f"≤ {TARGET_FULL_S:.0f} {verdict(ours['seconds'] <= TARGET_FULL_S)}"
                       if found["datasets"] == FULL_SIZE else "")  # fmt: skip
        stock_full = f"{stock['seconds']:.1f}" if stock else "not measured¹"
        rows += [
            f"| {n} | page of 100, p50 ms | {p50['dcat_ap_de']:.1f} | {p50['dcat_ap_de_2']:.1f} | {p50[STOCK]:.0f} | |",
            f"| {n} | page of 100, p95 ms | {p95['dcat_ap_de']:.1f} | {p95['dcat_ap_de_2']:.1f} | {p95[STOCK]:.0f} "
            f"| ≤ {TARGET_PAGE_P95_MS:.0f} {verdict(page_ok)} |",
            f"| {n} | same page unchanged (If-None-Match → 304), p95 ms "
            f"| {ckan_app.percentile(found['not_modified'], 0.95):.1f} | | | |",
            f"| {n} | whole catalogue, s | {ours['seconds']:.1f} | | {stock_full} | {full_target} |",
            f"| {n} | whole catalogue, MB of Turtle | {ours['bytes'] / 2**20:.1f} | | {stock['bytes'] / 2**20:.1f} | |"
            if stock
            else "",
        ]
        rss = ours["rss"]
        settled = rss[min(10, len(rss) - 1)]
        speed_up = f"{p95[STOCK] / p95['dcat_ap_de']:.0f}× for a page (p95)"
        if stock:
            speed_up += f", {stock['seconds'] / ours['seconds']:.0f}× for the whole catalogue"
        if found["rebuild_seconds"]:
            rebuild = (f"index rebuild with the portal's plugins (2 processes; scheming validation, quality score "
                       f"and every dataset's pieces) {found['rebuild_seconds']:.0f} s = "
                       f"{found['datasets'] / found['rebuild_seconds']:.0f} datasets/s")  # fmt: skip
        else:
            rebuild = "index and pieces kept from an earlier run of this benchmark on the same database (not rebuilt)"
        notes.append(
            f"* **{n} datasets** ({found['public']:,} public): speed-up over the stock profile {speed_up}. "
            f"Memory of the serving process during the `dcat_ap_de` export of the whole catalogue "
            f"({_pages(found['pages'])}): "
            f"{rss[0]:.0f} MB before, {settled:.0f} MB after 10 pages, {max(rss):.0f} MB at most, "
            f"{rss[-1]:.0f} MB after the last — {rss[-1] - settled:+.0f} MB over the remaining "
            f"{max(0, found['pages'] - 10):,} pages. Making one dataset's six pieces: {found['build_ms']:.1f} ms "
            f"CPU (median of {BUILD_SAMPLE}); {rebuild}. Timed {found['started']}–{found['ended']} UTC, load average "
            f"of the machine {found['load']:.1f} at the start and {found['load_end']:.1f} at the end "
            f"({os.cpu_count()} cores)."
        )
        if found["datasets"] <= FULL_SIZE and not found["shacl"]:
            notes.append(
                f"* **SHACL, {n} datasets: not checked** on this catalogue and code (`--parts shacl` checks it)."
            )
        for profile, checked in (found["shacl"] or {"profiles": {}})["profiles"].items():
            workers = checked["processes"]
            per_page = checked["seconds"] * workers / found["pages"]
            notes.append(
                f"* **SHACL, {n} datasets**, every page as a harvester reads it: `{profile}` against DCAT-AP.de "
                f"{SHAPES[profile]}: {len(checked['violations'])} violations {verdict(not checked['violations'])} "
                f"({_pages(found['pages'])} in {checked['seconds']:.0f} s, checked {checked['started']}–"
                f"{checked['ended']} UTC on the catalogue and code timed above, pyshacl in {workers} "
                f"process{'es' if workers > 1 else ''} at nice 10: {per_page:.1f} s per page; load average "
                f"{checked['load']:.1f} at the start)" + "".join(f"\n  * {line}" for line in checked["violations"][:3])
            )
    largest = max(results, key=lambda found: found["datasets"])
    footnote = []
    if STOCK not in largest["full"]:
        stock_ms = statistics.median(largest["page"][STOCK])
        footnote = [
            "",
            f"¹ Stock ckanext-dcat at {largest['datasets']:,} datasets: measured on the {repeat} sampled pages "
            f"only; its whole catalogue would take about {stock_ms * largest['pages'] / 1000 / 60:.0f} min "
            f"({largest['pages']:,} pages at its p50).",
        ]
    rows = [row for row in rows if row]
    return "\n".join(
        [
            "The search benchmark's generated datasets with DCAT-AP.de fields (5 % private), "
            "`/catalog.ttl` requested through the portal's WSGI app in-process (full request cycle, no "
            f"network); {repeat} timed requests of a page per profile, interleaved, after two warm-up rounds, "
            "on pages spread evenly from the first to the last (deep pages cost the most). `dcat_ap_de` and "
            "`dcat_ap_de_2` are assembled from each dataset's stored RDF (`dcat/store.py`, made when the "
            f"dataset is indexed); `{STOCK}` is ckanext-dcat's stock profile, which builds a graph of every "
            "dataset on every request. Each size is measured in a process of its own.",
            "",
            f"| datasets | measurement | `dcat_ap_de` (stored) | `dcat_ap_de_2` (stored) | `{STOCK}` (stock) "
            "| target |",
            "| ---: | --- | ---: | ---: | ---: | --- |",
            *rows,
            *footnote,
            "",
            *notes,
        ]
    )


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
