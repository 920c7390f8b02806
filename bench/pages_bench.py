"""Page benchmark: what a visitor waits for on the home, search and dataset pages at catalogue scale.

Runs against the bench portal (``var/bench.ini``) served by gunicorn as in ``make demo``
(``scripts/bench.sh`` starts it), so the figures include HTTP. First it gives the portal's database
the generated catalogue (10,000 datasets, loaded unless it is there) indexed with the portal's
plugins, whichever benchmark ran before. Measured:

* time to first byte: a plain HTTP client, p50/p95 over ``--repeat`` loads per page after warm-up;
* full load: Debian's headless Chromium with its cache disabled (a first visit), the navigation's
  ``loadEventEnd``, p50/p95 over ``--repeat`` loads;
* page weight: every byte the first visit of each page transfers (document, CSS, JavaScript,
  images, fonts), from the browser's resource timing: from gunicorn as ``make demo`` serves it, and
  through the production proxy (``scripts/proxy.sh``: Debian's nginx running
  ``docker/proxy/portal.conf.template`` over HTTPS, gzip as configured there), as a visitor gets it.

Usage (from ``make bench``): ``python -m bench.pages_bench PORTAL_URL [--datasets N] [--repeat N]``
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import ckan_app, report
from bench.browser import headless_chromium

ROOT = Path(__file__).resolve().parents[1]
TARGET_TTFB_P95_MS = 300.0
TARGET_HOME_KB = 500.0
# A search as visitors make it (a word, the default facets), and datasets spread over the catalogue
# (these numbers in a catalogue of 10,000, the same places in a smaller or larger one).
SEARCHES = ["/dataset/?q=Schule", "/dataset/?q=Parkplatz", "/dataset/?q=Kita&sort=metadata_modified+desc"]
DATASETS_OF_10_000 = (12, 2417, 5003, 7777, 9998)


def pages(count: int) -> dict[str, list[str]]:
    """The addresses of each page measured in a catalogue of ``count`` generated datasets."""
    numbers = sorted({number * count // 10_000 for number in DATASETS_OF_10_000})
    return {"home": ["/"], "search": SEARCHES, "dataset": [f"/dataset/datensatz-{n:05d}" for n in numbers]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("portal", help="the bench portal's URL, e.g. http://127.0.0.1:5057")
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50, help="timed loads per page")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)

    _index_catalogue(args.datasets)
    portal = args.portal.rstrip("/")
    paths = {page: _public(portal, candidates) for page, candidates in pages(args.datasets).items()}
    results: dict[str, Any] = {"ttfb": {}, "load": {}, "weight": {}}
    for page, page_paths in paths.items():
        results["ttfb"][page] = _ttfb(portal, page_paths, args.repeat)
    driver = headless_chromium()
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        # the proxy's certificate is self-signed (docker/proxy/certificate.sh), as before the city's is installed
        driver.execute_cdp_cmd("Security.setIgnoreCertificateErrors", {"ignore": True})
        with _proxy(portal) as proxied:
            for page, page_paths in paths.items():
                served = _weight(driver, portal, page_paths[0])
                results["weight"][page] = {"served": served, "proxy": _weight(driver, proxied, page_paths[0])}
                results["load"][page] = _full_loads(driver, portal, page_paths, args.repeat)
    finally:
        driver.quit()
    markdown = _markdown(results, paths, args.datasets, args.repeat)
    print(markdown)
    report.write_section(args.report, "pages", markdown, title="Pages")
    return 0


def _index_catalogue(count: int) -> None:
    """The generated catalogue in the bench portal's database, indexed with the portal's plugins
    (the search benchmark indexes with the search backend alone)."""
    app = ckan_app.load_app()
    with app._wsgi_app.test_request_context():
        ckan_app.ensure_catalogue(count)
        ckan_app.rebuild_index()


def _public(portal: str, paths: list[str]) -> list[str]:
    """The paths that answer 200 to a visitor (the generated catalogue has some private datasets)."""
    found = [path for path in paths if _get(portal, path)[0] == 200]
    if not found:
        raise RuntimeError(f"none of {paths} answers 200 on {portal}: is the bench catalogue loaded?")
    return found


def _get(portal: str, path: str) -> tuple[int, float, float]:
    """Status, milliseconds to the first byte of the answer and to its last byte."""
    parts = urllib.parse.urlsplit(portal)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers={"Accept-Language": "de-DE,de", "Accept-Encoding": "gzip"})
        answer = connection.getresponse()
        answer.read(1)
        first_byte = time.perf_counter()
        answer.read()
        done = time.perf_counter()
    finally:
        connection.close()
    return answer.status, (first_byte - started) * 1000, (done - started) * 1000


def _ttfb(portal: str, paths: list[str], repeat: int) -> list[float]:
    for path in paths:  # warm-up: templates compiled and caches filled in every worker
        for _ in range(4):
            _get(portal, path)
    samples = []
    for run in range(repeat):
        status, first_byte, _ = _get(portal, paths[run % len(paths)])
        if status != 200:
            raise RuntimeError(f"{paths[run % len(paths)]}: HTTP {status}")
        samples.append(first_byte)
    return samples


_NAVIGATION = "return performance.getEntriesByType('navigation')[0].toJSON()"
_RESOURCES = "return performance.getEntriesByType('resource').map(entry => entry.toJSON())"


def _full_loads(driver: Any, portal: str, paths: list[str], repeat: int) -> list[float]:
    driver.get(portal + paths[0])  # warm-up
    samples = []
    for run in range(repeat):
        driver.get(portal + paths[run % len(paths)])
        navigation = driver.execute_script(_NAVIGATION)
        samples.append(navigation["loadEventEnd"] - navigation["startTime"])
    return samples


@contextlib.contextmanager
def _proxy(portal: str) -> Iterator[str]:
    """The production proxy (``scripts/proxy.sh``) in front of the bench portal, for the duration: its HTTPS address."""
    ports = []
    for _ in range(2):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    with tempfile.TemporaryDirectory(prefix="bench-proxy-") as folder:
        settings = dict(os.environ, PROXY_DIR=folder, PROXY_HTTP_PORT=str(ports[0]), PROXY_HTTPS_PORT=str(ports[1]),
                        PROXY_CKAN_PORT=str(urllib.parse.urlsplit(portal).port), PROXY_AIRFLOW_PORT="9")  # fmt: skip
        script = str(ROOT / "scripts" / "proxy.sh")
        subprocess.run([script, "start"], env=settings, check=True)
        try:
            yield f"https://127.0.0.1:{ports[1]}"
        finally:
            subprocess.run([script, "stop"], env=settings, check=False)


def _weight(driver: Any, base: str, path: str) -> dict[str, int]:
    """Bytes a first visit of ``base + path`` transfers by kind (document, script, css, font, img,
    other), as the browser counted them (headers and bodies as sent, compressed or not)."""
    url = base + path
    driver.get(url)
    time.sleep(1)  # requests a script makes after the load event (e.g. JSON for a widget)
    transferred: dict[str, int] = defaultdict(int)
    entries = [dict(driver.execute_script(_NAVIGATION), initiatorType="document", name=url)]
    for entry in entries + driver.execute_script(_RESOURCES):
        transferred[_kind(entry)] += entry["transferSize"]
    return dict(transferred)


def _kind(entry: dict[str, Any]) -> str:
    path = urllib.parse.urlsplit(entry["name"]).path
    for kind, endings in _KINDS.items():
        if path.endswith(endings):
            return kind
    return "document" if entry["initiatorType"] == "document" else "other"


_KINDS = {"script": (".js",), "css": (".css",), "font": (".woff", ".woff2", ".ttf", ".eot"),
          "img": (".png", ".svg", ".jpg", ".gif", ".ico")}  # fmt: skip


def _markdown(results: dict[str, Any], paths: dict[str, list[str]], count: int, repeat: int) -> str:
    def verdict(ok: bool) -> str:
        return "✔" if ok else "✘"

    def row(page: str) -> list[str]:
        ttfb, load = results["ttfb"][page], results["load"][page]
        served, proxied = (sum(results["weight"][page][how].values()) / 1024 for how in ("served", "proxy"))
        ttfb_p95 = ckan_app.percentile(ttfb, 0.95)
        return [page, ", ".join(f"`{path}`" for path in paths[page]), f"{statistics.median(ttfb):.0f}",
                f"{ttfb_p95:.0f} {verdict(ttfb_p95 < TARGET_TTFB_P95_MS)}", f"{statistics.median(load):.0f}",
                f"{ckan_app.percentile(load, 0.95):.0f}", f"{served:.0f}", f"{proxied:.0f}"]  # fmt: skip

    header = ["page", "URLs", "TTFB p50 ms", "TTFB p95 ms", "full load p50 ms", "full load p95 ms", "KB served",
              "KB via proxy"]  # fmt: skip

    def weight(how: str, label: str) -> str:
        home = results["weight"]["home"][how]
        total = sum(home.values()) / 1024
        parts = ", ".join(f"{kind} {size / 1024:.0f} KB" for kind, size in sorted(home.items(), key=lambda kv: -kv[1]))
        target = f"; target under {TARGET_HOME_KB:.0f} KB {verdict(total < TARGET_HOME_KB)}" if how == "proxy" else ""
        return f"- Home page weight, first visit, {label}: **{total:.0f} KB** ({parts}){target}."

    return "\n\n".join([
        f"The bench portal ({count:,} generated datasets, indexed with the portal's plugins) "
        "under gunicorn with 2 workers as in `make demo`, over HTTP on loopback. Time to first byte by a plain "
        f"HTTP client, full load (`loadEventEnd`) in headless Chromium with its cache disabled (a first visit); "
        f"{repeat} loads per page after warm-up.",
        report.table(header, map(row, paths), left=2),
        weight("proxy", "through the production proxy (measured: nginx, docker/proxy's template, gzip)") + "\n"
        + weight("served", "straight from gunicorn (no proxy, no compression; `make demo` puts nginx in front)"),
        f"TTFB target: p95 under {TARGET_TTFB_P95_MS:.0f} ms. *KB via proxy*: the bytes Chromium received for a "
        "first visit through `scripts/proxy.sh` (Debian's nginx running `docker/proxy/portal.conf.template` in front "
        "of the bench portal, HTTP/2 over TLS, gzip as configured there); *KB served*: the same visit from gunicorn. "
        "Through the proxy, CKAN's script asks for its translations (`/api/i18n/de`, 4 KB) at the configured site URL, "
        "here gunicorn's address, which the portal's Content-Security-Policy blocks on an HTTPS page: that request "
        "is missing from the proxy figure (in production the site URL is the proxy's own).",
    ])  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
