"""Starts the replicas of the department sources and keeps them running.

``python -m replica.run`` (what ``make demo`` does) serves on fixed loopback ports and stays in
the foreground until Ctrl-C; ``replicas()`` does the same for tests on free ports. Every replica
sits behind a fault proxy (``replica/faults.py``) on its public port.

| replica | public port | real counterpart |
| --- | --- | --- |
| ArcGIS FeatureServer (Koop) | 8081 | services6.arcgis.com/jiszdsDupTUO3fSM/arcgis/rest/services/… |
| WFS 2.0 (MapServer) | 8082 | the city's and GeoSN's WFS |
| file drops (CSV, XLSX) | 8083 | portal-chemnitz.opendata.arcgis.com downloads |
| parking occupancy feed (ParkAPI JSON, DATEX II) | 8084 | none yet: sample car parks (``replica/parking.py``) |
| basemaps: WMTS tiles, WMS (MapServer) | 8085 | basemap.de, GeoSN's aerial photographs: sample maps (``basemaps.py``) |
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from replica import basemaps, data, faults, files, parking, wfs

ARCGIS_PATH = "/file-geojson/rest/services"
# The ports the source configurations (schemas/sources/*.yaml) name; REPLICA_<NAME>_PORT moves a replica.
CONFIGURED_PORTS = {"arcgis": 8081, "wfs": 8082, "files": 8083, "parking": 8084, "basemaps": 8085}
DEFAULT_PORTS = {name: int(os.environ.get(f"REPLICA_{name.upper()}_PORT", port))
                 for name, port in CONFIGURED_PORTS.items()}  # fmt: skip


@dataclass(frozen=True)
class Replicas:
    arcgis: str  # base URL of the services: f"{arcgis}/Schulen_OpenData/FeatureServer/0"
    wfs: str  # the WFS endpoint
    files: str  # base URL of the file drops
    parking: str  # base URL of the occupancy feed: f"{parking}/parkapi.json"
    basemaps: str  # base URL of the basemap services: f"{basemaps}/wmts_basemapde/…", f"{basemaps}/wms_geosn_dop-rgb/…"

    def control(self, replica: str) -> str:
        """URL that arms faults of a replica (``POST`` JSON ``{"fault": …, "times": …}``)."""
        base = urllib.parse.urlsplit(getattr(self, replica))
        return f"{base.scheme}://{base.netloc}/__replica__/fault"

    def serving(self, url: str) -> str:
        """``url`` of a source configuration (a replica on its configured port) on these replicas."""
        parts = urllib.parse.urlsplit(url)
        for name, port in CONFIGURED_PORTS.items():
            if parts.hostname == "127.0.0.1" and parts.port == port:
                return parts._replace(netloc=urllib.parse.urlsplit(getattr(self, name)).netloc).geturl()
        return url


@contextlib.contextmanager
def replicas(work: Path, ports: dict[str, int] | None = None) -> Iterator[Replicas]:
    """Run all replicas while the context is open."""
    ports = ports or {name: free_port() for name in DEFAULT_PORTS}
    folders = data.prepare(work)
    koop_port = free_port()
    koop_app = Path(__file__).parent / "arcgis"
    koop = subprocess.Popen(  # the file provider resolves its data folder relative to the app
        ["node", "server.js", os.path.relpath(folders["arcgis"], koop_app), str(koop_port)],
        cwd=koop_app,
        env={**os.environ, "SUPPRESS_NO_CONFIG_WARNING": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wfs_url = f"http://127.0.0.1:{ports['wfs']}/wfs"
    upstreams = {
        "wfs": wfs.server(work / "wfs", (wfs_port := free_port()), wfs_url),
        "files": files.server(folders["files"], (files_port := free_port())),
        "parking": parking.server(parking_port := free_port()),
        "basemaps": basemaps.server(
            work / "basemaps", (basemaps_port := free_port()), f"http://127.0.0.1:{ports['basemaps']}"
        ),
    }
    internal = {"arcgis": koop_port, "wfs": wfs_port, "files": files_port, "parking": parking_port,
                "basemaps": basemaps_port}  # fmt: skip
    servers = list(upstreams.values()) + [faults.proxy(internal[name], name, ports[name]) for name in ports]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        urls = Replicas(
            arcgis=f"http://127.0.0.1:{ports['arcgis']}{ARCGIS_PATH}",
            wfs=wfs_url,
            files=f"http://127.0.0.1:{ports['files']}",
            parking=f"http://127.0.0.1:{ports['parking']}",
            basemaps=f"http://127.0.0.1:{ports['basemaps']}",
        )
        _wait(f"{urls.arcgis}/Stadtteile_FL_1/FeatureServer/0?f=json", koop)
        _wait(f"{urls.wfs}?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities", koop)
        yield urls
    finally:
        for server in servers:
            server.shutdown()
        koop.terminate()
        koop.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str, koop: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if koop.poll() is not None:
            raise RuntimeError(f"Koop stopped: {koop.stderr.read().decode() if koop.stderr else ''}")
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=5).close()
            return
        time.sleep(0.3)
    raise RuntimeError(f"replica did not answer: {url}")


def main() -> None:
    if not shutil.which("node") or not shutil.which(wfs.MAPSERV):
        sys.exit("The replicas need Node.js and MapServer: run replica/install.sh (make demo does).")
    work = Path(os.environ.get("REPLICA_WORK", data.REPOSITORY / "var" / "replica"))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with replicas(work, DEFAULT_PORTS) as urls:
        print(f"ArcGIS FeatureServer  {urls.arcgis}/<Dienst>/FeatureServer/0", flush=True)
        print(f"WFS 2.0               {urls.wfs}", flush=True)
        print(f"Dateiablage           {urls.files}/", flush=True)
        print(f"Parkraum-Belegung     {urls.parking}/parkapi.json  {urls.parking}/datex2/parkingStatus.xml", flush=True)
        wmts = f"{urls.basemaps}{basemaps.WMTS}/1.0.0/WMTSCapabilities.xml"
        print(f"Hintergrundkarten     {wmts}  {urls.basemaps}{basemaps.WMS} (Beispielkarten)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
