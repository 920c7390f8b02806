"""Load run (``make load``): many visitors at once on the running portal while the harvests run.

wrk (Debian) keeps ``--connections`` connections busy for ``--duration`` seconds, each asking for
the next address as soon as the last answer arrived (no think time, so harsher than the same
number of people): the home page, searches, dataset pages, the parking page and the Action API,
including DataStore reads. Every answer other than 2xx/3xx, every timeout and every broken
connection is an error. Figures (p50/p95/p99, requests/s, errors) go to docs/reliability.md.

Usage: ``python -m bench.load_bench PORTAL_URL [--duration S] [--connections N] [--beside CMD]``;
``scripts/load.sh`` passes ``--beside "scripts/airflow.sh harvest"`` (every harvest DAG triggered
as the load starts; the run waits for it and reports how it ended).
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import report
from tests.support.portal import client

ROOT = Path(__file__).resolve().parents[1]
# Lua for wrk: the addresses in turn; at the end, the figures as one JSON line.
SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "bytes": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def paths(portal: str) -> list[str]:
    """What visitors and API users ask for, drawn from the portal's public catalogue."""
    datasets = client(portal).action.package_search(rows=20)["results"]
    if not datasets:
        raise SystemExit(f"{portal} has no public dataset: run make demo (it harvests every source) first.")
    tables = [r["id"] for d in datasets for r in d.get("resources", []) if r.get("datastore_active")]
    pages = ["/", "/dataset/", "/dataset/?q=Schule", "/dataset/?q=Parkplatz&res_format=CSV", "/parken",
             "/organization/", "/api/3/action/package_search?q=Kita&facet.field=[%22tags%22]"]  # fmt: skip
    pages += [f"/dataset/{d['name']}" for d in datasets]
    pages += [f"/api/3/action/package_show?id={d['name']}" for d in datasets[:5]]
    pages += [f"/api/3/action/datastore_search?resource_id={table}&limit=50" for table in tables[:5]]
    return pages


def run_wrk(portal: str, addresses: list[str], duration: int, connections: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(SCRIPT % ", ".join(json.dumps(a) for a in addresses))
    command = ["wrk", "--threads", "2", "--connections", str(connections), "--duration", f"{duration}s",
               "--timeout", "30s", "--script", handle.name, portal]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(handle.name).unlink()
    return json.loads(next(line for line in output.splitlines() if line.startswith("{")))


def markdown(result: dict[str, Any], addresses: list[str], duration: int, connections: int, harvest: str) -> str:
    seconds = result["duration_us"] / 1e6

    def ms(microseconds: int) -> str:
        return f"{microseconds / 1000:,.0f}"

    errors = sum(result[key] for key in ("connect", "read", "write", "status", "timeout"))
    verdict = "✔" if errors == 0 else "✘"
    return f"""
{connections} connections for {duration} s (wrk, 2 threads, no think time) against `make demo`'s portal
(gunicorn, 3 workers) on loopback, over {len(addresses)} addresses in turn: home, search (with facets),
dataset pages, `/parken`, `package_search`, `package_show`, `datastore_search`. {harvest}

| requests | requests/s | p50 ms | p95 ms | p99 ms | max ms | errors |
| ---: | ---: | ---: | ---: | ---: | ---: | --- |
| {result["requests"]:,} | {result["requests"] / seconds:.1f} | {ms(result["p50"])} | {ms(result["p95"])} | \
{ms(result["p99"])} | {ms(result["max"])} | **{errors}** {verdict} (connect {result["connect"]}, \
read {result["read"]}, write {result["write"]}, HTTP ≥ 400 {result["status"]}, timeout {result["timeout"]}) |

Latency includes the time a request waits for a free worker: with {connections} requests always
outstanding and 3 workers on 2 cores, that wait dominates; requests/s is the portal's throughput.
"""


def _outcome(command: str, process: subprocess.Popen[bytes] | None, started: float) -> str:
    """How the command run beside the load ended (waiting for it if it still runs)."""
    if process is None:
        return "Nothing else ran beside the load."
    running_at_end = process.poll() is None
    code = process.wait()
    took = time.monotonic() - started
    return f"Beside it, `{command}` started with the load and ended after {took:.0f} s with exit status {code}" + (
        " (after the load had ended)." if running_at_end else " (during the load)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("portal")
    parser.add_argument("--duration", type=int, default=120)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--beside", default="", help="a command started with the load (e.g. the harvest)")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "reliability.md")
    args = parser.parse_args(argv)
    portal = args.portal.rstrip("/")
    addresses = paths(portal)
    started = time.monotonic()
    beside = subprocess.Popen(shlex.split(args.beside), cwd=ROOT) if args.beside else None
    result = run_wrk(portal, addresses, args.duration, args.connections)
    text = markdown(result, addresses, args.duration, args.connections, _outcome(args.beside, beside, started))
    print(text)
    report.write_section(args.report, "load", text, title="Load")
    errors = sum(result[key] for key in ("connect", "read", "write", "status", "timeout"))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
