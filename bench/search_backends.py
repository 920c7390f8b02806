"""Search backends side by side: the generated catalogue on PostgreSQL and on the SolrCloud, in one run.

For each catalogue size (10,000 and 100,000 datasets in ``make bench``): the generated catalogue
(``bench/catalogue.py``, bulk-loaded) with the real Stadtteile published as the districts dataset,
indexed with the portal's plugins into both backends — the PostgreSQL backend's schema in the same
database and a collection of the SolrCloud of ``scripts/solr.sh`` (2 shards x 2 replicas, as
``make demo`` runs it) — then, in the same process, every query shape of the search benchmark
(``search_bench.shapes``) timed on each backend, the rebuild rate of each, and what each holds in
memory: the PostgreSQL backend's tables and indexes, Solr's heap, resident memory and index size.
At the first size the parity check (``bench/search_parity.py``) compares the two backends' answers
to the portal's queries; its table goes to docs/search.md.

The backend is switched in-process the way configuration switches it
(``ckanext.chemnitz.search.backend`` = ``postgres`` or ``solr``, ``solr_url`` naming the
collection): both backends see the same database, the same plugins and the same process.

Usage (from ``make bench``, with the SolrCloud started by scripts/bench.sh):
``python -m bench.search_backends --solr http://127.0.0.1:8990/solr [--sizes 10000 100000]``
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from bench import ckan_app, report, search_bench, search_parity
from bench.spatial_bench import _publish_districts  # before CKAN loads: it imports the tests' examples

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = {"postgres": "PostgreSQL", "solr": "SolrCloud"}
EDITOR = "parity-editor"
DISTRICTS = "stadtteile"  # spatial_bench publishes the districts dataset under this name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solr", required=True, help="the SolrCloud's base URL, e.g. http://127.0.0.1:8990/solr")
    parser.add_argument("--solr-pid", type=Path, help="pid file of its JVM (resident memory)")
    parser.add_argument("--collection", default="ckan_bench", help="collection created (afresh) for the benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=200, help="timed runs per query shape and backend")
    parser.add_argument("--database", help="CKAN database instead of var/bench.ini's (a scratch database)")
    parser.add_argument("--ini", type=Path, default=ckan_app.INI)
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--parity-report", type=Path, default=ROOT / "docs" / "search.md")
    args = parser.parse_args(argv)

    _create_collection(args.solr, args.collection)
    app = ckan_app.load_app(ini=args.ini, database=args.database)
    results = []
    with app._wsgi_app.test_request_context():
        from ckan.common import config

        config["solr_url"] = f"{args.solr.rstrip('/')}/{args.collection}"
        for number, size in enumerate(args.sizes):
            results.append(_measure(size, args, parity=number == 0))
    markdown = _markdown(results, args.repeat)
    print(markdown)
    report.write_section(args.report, "search-backends", markdown, title="Search: PostgreSQL and Solr side by side")
    return 0


def use(backend: str) -> None:
    """Search and index with ``backend`` (``postgres`` or ``solr``) from now on, in this process."""
    from ckan.common import config

    config["ckanext.chemnitz.search.backend"] = backend


def _measure(size: int, args: argparse.Namespace, parity: bool) -> dict[str, Any]:
    started = time.perf_counter()
    _catalogue_with_districts(size)
    load_seconds = time.perf_counter() - started
    rebuild = {backend: _rebuild(backend) for backend in BACKENDS}
    timings: dict[str, dict[str, list[float]]] = {}
    for backend in BACKENDS:
        use(backend)
        for name, factory in search_bench.shapes(size).items():
            if backend == "solr" and name == search_bench.UNCACHED:
                continue  # the PostgreSQL backend's facet cache; Solr counts on every request
            timings.setdefault(name, {})[backend] = ckan_app.timed(factory, args.repeat)
    result = {
        "size": size,
        "datasets": _datasets(),
        "load_seconds": load_seconds,
        "rebuild_seconds": rebuild,
        "timings": timings,
        "memory": {"postgres": _postgres_memory(), "solr": _solr_memory(args.solr, args.collection, args.solr_pid)},
    }
    if parity:
        _parity(result["datasets"], args.parity_report)
    return result


def _catalogue_with_districts(size: int) -> None:
    """The generated catalogue of ``size`` datasets and the districts dataset (``ext_district``, the
    Stadtteil facet), loaded unless the database holds exactly these; an editor of one organization."""
    import ckan.lib.search as search
    import ckan.model as model

    held = model.Session.execute(
        sa.text("SELECT count(*), count(*) FILTER (WHERE name LIKE 'datensatz-%') FROM package")
    ).one()
    if tuple(held) != (size + 1, size) or model.Package.get(DISTRICTS) is None:
        use("postgres")
        ckan_app.ensure_catalogue(size)
        # Publishing the districts indexes every dataset with an extent again: none, not the last size's.
        search.index_for(model.Package).clear()
        model.Session.commit()
        _publish_districts()
    _editor()


def _editor() -> None:
    """``EDITOR``, editor of the first organization (the private datasets it may see as an editor)."""
    import ckan.model as model

    user = model.User.get(EDITOR)
    if user is None:
        user = model.User(name=EDITOR, email=f"{EDITOR}@example.org", password="parity-editor-secret-1")
        model.Session.add(user)
        model.Session.flush()
    organization = model.Session.query(model.Group).filter_by(is_organization=True).order_by(model.Group.name).first()
    member = (
        model.Session.query(model.Member)
        .filter_by(group_id=organization.id, table_name="user", table_id=user.id, state="active")
        .first()
    )
    if member is None:  # group=, not group_id=: Member() sets its group to None otherwise, and the id with it
        model.Session.add(model.Member(group=organization, table_name="user", table_id=user.id,
                                       capacity="editor", state="active"))  # fmt: skip
    model.Session.commit()


def _datasets() -> int:
    import ckan.model as model

    return model.Session.query(model.Package).filter_by(state="active").count()


def _rebuild(backend: str) -> float:
    """Seconds to index the whole catalogue into ``backend`` (cleared first), one process per core on
    both: the PostgreSQL backend's ``ckan search-index rebuild``, and on Solr CKAN's own
    ``ckan search-index rebuild-fast`` (its ``rebuild`` indexes one dataset after the other)."""
    import ckan.lib.search as search
    import ckan.model as model

    use(backend)
    if backend == "postgres":
        return ckan_app.rebuild_index()
    started = time.perf_counter()
    search.index_for(model.Package).clear()
    ids = [row[0] for row in model.Session.query(model.Package.id).filter_by(state="active")]
    model.Session.remove()
    model.meta.engine.dispose()  # the forked processes open connections of their own
    processes = [
        multiprocessing.get_context("fork").Process(target=_index_on_solr, args=(ids[number :: os.cpu_count() or 1],))
        for number in range(os.cpu_count() or 1)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    if any(process.exitcode for process in processes):
        raise RuntimeError("indexing into Solr failed in a worker process (its error is above)")
    search.commit()
    return time.perf_counter() - started


def _index_on_solr(ids: list[str]) -> None:
    """What each process of ``ckan search-index rebuild-fast`` does."""
    import ckan.lib.search as search

    search.rebuild(package_ids=ids, quiet=True)


def _parity(datasets: int, path: Path) -> None:
    snapshots = {}
    values = None
    for backend in BACKENDS:
        use(backend)
        snapshots[backend] = search_parity.snapshot(search_parity.in_process(EDITOR), values)
        values = snapshots[backend]["facet_values"]
    rows = search_parity.compare(snapshots["postgres"], snapshots["solr"])
    context = (
        f"The generated catalogue of `make bench` ({datasets:,} datasets: {datasets - 1:,} generated, 5 % of them "
        "private, and the Stadtteile), indexed with the portal's plugins into both backends; the same "
        f"{len(rows)} queries in one process (`bench/search_backends.py`, queries in `bench/search_parity.py`), "
        "as an anonymous visitor unless *as editor* (an editor of one organization). *Facet fq*: each facet's most and "
        "least frequent value. Top-10 overlap: the share of the first ten datasets both backends return."
    )
    markdown = search_parity.markdown(rows, ("PostgreSQL", "Solr"), context)
    print(markdown)
    report.write_section(path, "parity", markdown, title="Parity: the same answers on PostgreSQL and on Solr")
    differing = search_parity.summary(rows)["differing"]
    if differing:
        print(f"{len(differing)} queries answered differently: " + "; ".join(r.label for r in differing))


def _create_collection(base: str, name: str) -> None:
    """``name`` afresh from the configset the launcher uploaded ("ckan"), 2 shards x 2 replicas."""
    admin = f"{base.rstrip('/')}/admin/collections"
    listed = requests.get(admin, params={"action": "LIST", "wt": "json"}, timeout=30).json()
    if name in listed.get("collections", []):
        requests.get(admin, params={"action": "DELETE", "name": name, "wt": "json"}, timeout=120).raise_for_status()
    created = requests.get(
        admin,
        params={"action": "CREATE", "name": name, "numShards": 2, "replicationFactor": 2,
                "collection.configName": "ckan", "waitForFinalState": "true", "wt": "json"},
        timeout=300,
    )  # fmt: skip
    created.raise_for_status()


def _postgres_memory() -> dict[str, int]:
    """Bytes of the PostgreSQL backend's tables (TOAST included) and of their indexes."""
    import ckan.model as model

    row = model.Session.execute(
        sa.text(
            "SELECT sum(pg_table_size(c.oid)), sum(pg_indexes_size(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'chemnitz_search' AND c.relkind = 'r'"
        )
    ).one()
    return {"tables": int(row[0] or 0), "indexes": int(row[1] or 0)}


def _solr_memory(base: str, collection: str, pid_file: Path | None) -> dict[str, int]:
    """Bytes of the collection's index (all replicas), the JVM's heap in use and its maximum, and the
    JVM's resident memory when its pid file is known (both nodes and ZooKeeper share that JVM)."""
    status = requests.get(f"{base}/admin/collections", params={"action": "CLUSTERSTATUS", "wt": "json"}, timeout=30)
    nodes = status.json()["cluster"]["live_nodes"]
    index = 0
    for node in nodes:  # "127.0.0.1:8990_solr"; each node's cores (Solr's metrics API is off in this cluster)
        host, _, context = node.partition("_")
        cores = requests.get(
            f"http://{host}/{context}/admin/cores", params={"action": "STATUS", "wt": "json"}, timeout=30
        ).json()["status"]
        index += sum(core["index"]["sizeInBytes"] for name, core in cores.items() if name.startswith(f"{collection}_"))
    jvm = requests.get(f"{base}/admin/info/system", params={"wt": "json"}, timeout=30).json()["jvm"]["memory"]["raw"]
    memory = {"index": index, "heap_used": int(jvm["used"]), "heap_max": int(jvm["max"])}
    if pid_file and pid_file.exists():
        status_file = Path(f"/proc/{pid_file.read_text().strip()}/status")
        if status_file.exists():
            rss = next(line for line in status_file.read_text().splitlines() if line.startswith("VmRSS:"))
            memory["resident"] = int(rss.split()[1]) * 1024
    return memory


def _mb(value: int) -> str:
    return f"{value / 1024 / 1024:,.0f} MB"


def _markdown(results: list[dict[str, Any]], repeat: int) -> str:
    def timings(name: str) -> list[str]:
        cells = [result["timings"][name].get(backend) for result in results for backend in BACKENDS]
        return [name, *(f"{statistics.median(s):.1f} / {ckan_app.percentile(s, 0.95):.1f}" if s else "–"
                        for s in cells)]  # fmt: skip

    def row(label: str, cell: Any) -> list[str]:
        return [label, *(cell(r, b) for r in results for b in BACKENDS)]

    columns = [f"{result['size']:,} {BACKENDS[b]}" for result in results for b in BACKENDS]
    loads = ", ".join(f"{r['size']:,} in {r['load_seconds']:.0f} s" for r in results)
    return "\n\n".join([
        "The search benchmark's generated catalogue (German titles and descriptions, 2–6 tags, 1–5 resources, "
        "8 organizations, 5 % private) with the real Stadtteile as districts dataset, at each size indexed with the "
        "portal's plugins into the PostgreSQL backend and into a collection of the SolrCloud of `scripts/solr.sh` "
        "(2 nodes and ZooKeeper in one JVM, 2 shards × 2 replicas, heap at most `SOLR_HEAP`) on the same machine. "
        f"Anonymous visitor, in-process action calls with the portal's plugins, {repeat} timed runs per query and "
        "backend after warm-up; the backend switched in the same process. "
        "Parity of the answers: `docs/search.md`, *Parity*.",
        report.table(["query", *(f"{column} p50 / p95 ms" for column in columns)], map(timings, results[0]["timings"])),
        report.table(["measurement", *columns], [
            row("index rebuild, datasets/s (s)",
                lambda r, b: f"{r['datasets'] / r['rebuild_seconds'][b]:,.0f} ({r['rebuild_seconds'][b]:,.0f} s)"),
            row("index size (PostgreSQL: tables / indexes; Solr: all replicas)",
                lambda r, b: f"{_mb(r['memory'][b]['tables'])} / {_mb(r['memory'][b]['indexes'])}" if b == "postgres"
                else _mb(r["memory"][b]["index"])),
            row("Solr heap in use / maximum; JVM resident",
                lambda r, b: "–" if b == "postgres" else f"{_mb(r['memory'][b]['heap_used'])} / "
                f"{_mb(r['memory'][b]['heap_max'])}; {_mb(r['memory'][b].get('resident', 0))}"),
        ]),
        f"Catalogue bulk-loaded (SQL) with the districts dataset: {loads}. Both rebuilds run one process per core "
        "and include every plugin's indexing work (scheming validation, metadata quality, districts, the stored "
        "DCAT-AP.de pages): `ckan search-index rebuild` on PostgreSQL, CKAN's `ckan search-index rebuild-fast` "
        "on Solr (CKAN's `rebuild` indexes one dataset after the other). Solr's heap in use includes garbage "
        "not yet collected; the PostgreSQL "
        "backend's tables are read through PostgreSQL's shared buffers and the file cache.",
    ])  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
