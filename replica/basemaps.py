"""The basemap replica: basemap.de's raster WMTS and GeoSN's aerial photograph WMS, offline.

The portal's maps ask basemap.de for web-mercator tiles and GeoSN's WMS for aerial photographs.
Neither can be copied here, so the replica serves the same URL paths from small **sample**
rasters that it draws itself, at start, from real data of the repository: the 39 district polygons
of Chemnitz (``fixtures/chemnitz/Stadtteile.geojson``) with their names, one raster per style
(grey, colour, "aerial"), each with the word BEISPIELKARTE across it. Nothing else is on them: no
streets, no buildings, no photograph. MapServer (Debian, as for the WFS replica) draws the rasters
(``basemaps/render.map.in``) and serves them as tiles (``mode=tile&tilemode=gmap``) and as WMS 1.3.0.

Paths as on the real hosts:

* ``/wmts_basemapde/1.0.0/WMTSCapabilities.xml`` — basemap.de's WMTS capabilities (sgx.geodatenzentrum.de)
* ``/wmts_basemapde/tile/1.0.0/<layer>/default/GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png`` — its web raster
  tiles, layers ``de_basemapde_web_raster_grau`` and ``de_basemapde_web_raster_farbe``
* ``/wms_geosn_dop-rgb/guest`` — GeoSN's aerial photograph WMS (geodienste.sachsen.de), layer ``sn_dop_020``
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import json
import math
import re
import subprocess
from pathlib import Path

from replica.data import FIXTURES
from replica.wfs import MAPSERV, mapserv, send

HERE = Path(__file__).parent / "basemaps"
DISTRICTS = FIXTURES / "Stadtteile.geojson"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian fonts-dejavu-core
WMTS = "/wmts_basemapde"
WMS = "/wms_geosn_dop-rgb/guest"
WMTS_LAYERS = {  # basemap.de layer -> (sample style, title)
    "de_basemapde_web_raster_grau": ("grau", "basemap.de Web Raster Grau – Beispiel (Replik)"),
    "de_basemapde_web_raster_farbe": ("farbe", "basemap.de Web Raster Farbe – Beispiel (Replik)"),
}
WMS_LAYERS = {"sn_dop_020": ("luftbild", "Digitale Orthophotos 20 cm (RGB) – Beispiel (Replik), kein Luftbild")}
STYLES = {  # background, district fill, outline, names, sample mark (MapServer RGB)
    "grau": ("242 242 242", "228 228 228", "140 140 140", "80 80 80", "190 190 190"),
    "farbe": ("246 241 228", "252 248 236", "200 120 80", "90 60 40", "225 200 170"),
    "luftbild": ("70 85 60", "95 115 75", "235 235 235", "250 250 250", "130 150 110"),
}
RASTER_PIXELS = 2048
MAX_ZOOM = 18  # basemap.de's GLOBAL_WEBMERCATOR tile matrices 0 … 18
MARK = "BEISPIELKARTE"
MARK_SPACING = 5000  # metres between the marks
TILE_PATH = re.compile(
    rf"^{WMTS}/tile/1\.0\.0/(?P<layer>[\w-]+)/default/GLOBAL_WEBMERCATOR/(?P<z>\d+)/(?P<y>\d+)/(?P<x>\d+)\.png$"
)
HALF_WORLD = 20037508.342789244


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """EPSG:4326 degrees to EPSG:3857 metres (the spherical formula; no pyproj in every environment)."""
    return math.radians(lon) * 6378137.0, math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * 6378137.0


def district_bounds() -> tuple[float, float, float, float]:
    """West, south, east, north of the 39 districts in degrees."""
    points = [
        point
        for feature in json.loads(DISTRICTS.read_text(encoding="utf-8"))["features"]
        for ring in _rings(feature["geometry"])
        for point in ring
    ]
    return min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points), max(p[1] for p in points)


def _rings(geometry: dict) -> list[list[list[float]]]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [ring for polygon in polygons for ring in polygon]


def render(work: Path) -> dict[str, Path]:
    """Draw the sample raster of every style (again only when the districts or templates changed)."""
    work.mkdir(parents=True, exist_ok=True)
    west, south, east, north = district_bounds()
    (x0, y0), (x1, y1) = mercator(west, south), mercator(east, north)
    side = max(x1 - x0, y1 - y0) * 1.15  # a square around the city with a margin
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    box = (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
    steps = range(int(side // MARK_SPACING) + 1)
    marks = "\n".join(
        f'    FEATURE POINTS {box[0] + i * MARK_SPACING:.0f} {box[1] + j * MARK_SPACING:.0f} END TEXT "{MARK}" END'
        for i in steps
        for j in steps
    )
    template = (HERE / "render.map.in").read_text(encoding="utf-8")
    fontset = work / "fonts.txt"
    fontset.write_text(f"sans {FONT}\n", encoding="utf-8")
    version = hashlib.sha256(template.encode() + DISTRICTS.read_bytes()).hexdigest()[:16]
    rasters = {}
    for style, (background, fill, line, text, mark) in STYLES.items():
        raster = work / f"beispielkarte-{style}-{version}.tif"
        if not raster.exists():
            map_file = work / f"render-{style}.map"
            map_file.write_text(
                template.format(
                    style=style, size=RASTER_PIXELS, extent=" ".join(f"{v:.2f}" for v in box), fontset=fontset,
                    background=background, fill=fill, line=line, text=text, mark=mark, districts=DISTRICTS, marks=marks,
                ),
                encoding="utf-8",
            )  # fmt: skip
            subprocess.run([MAPSERV.replace("mapserv", "map2img"), "-m", map_file, "-o", raster], check=True,
                           capture_output=True, timeout=120)  # fmt: skip
        rasters[style] = raster
    return rasters


def write_maps(work: Path, public_url: str) -> tuple[Path, Path, Path]:
    """The tile map file, the WMS map file and MapServer's config that allows exactly those two."""
    rasters = render(work / "rasters")
    layer = (HERE / "layer.map.in").read_text(encoding="utf-8")
    serve = (HERE / "serve.map.in").read_text(encoding="utf-8")
    maps = []
    for name, title, layers in (
        ("basemapde", "basemap.de Web Raster – Replik mit Beispielkarte", WMTS_LAYERS),
        ("dop", "GeoSN Digitale Orthophotos – Replik mit Beispielkarte", WMS_LAYERS),
    ):
        text = "".join(
            layer.format(name=layer_name, raster=rasters[style], title=layer_title)
            for layer_name, (style, layer_title) in layers.items()
        )
        map_file = work / f"{name}.map"
        text = serve.format(name=name, title=title, url=f"{public_url}{WMS}", layers=text)
        map_file.write_text(text, encoding="utf-8")
        maps.append(map_file)
    config = work / "mapserver.conf"
    pattern = "^(" + "|".join(re.escape(str(path)) for path in maps) + ")$"
    config.write_text(f'CONFIG\n  ENV\n    MS_MAP_PATTERN "{pattern}"\n  END\nEND\n', encoding="utf-8")
    return maps[0], maps[1], config


def capabilities(public_url: str) -> bytes:
    """basemap.de's WMTS capabilities document, pointing at the replica."""
    west, south, east, north = district_bounds()
    layer = (HERE / "wmts_layer.xml.in").read_text(encoding="utf-8")
    layers = "".join(
        layer.format(name=name, title=title, url=f"{public_url}{WMTS}", west=west, south=south, east=east, north=north)
        for name, (_, title) in WMTS_LAYERS.items()
    )
    matrices = "".join(
        f"""      <TileMatrix>
        <ows:Identifier>{zoom}</ows:Identifier>
        <ScaleDenominator>{559082264.0287178 / 2**zoom!r}</ScaleDenominator>
        <TopLeftCorner>{-HALF_WORLD!r} {HALF_WORLD!r}</TopLeftCorner>
        <TileWidth>256</TileWidth>
        <TileHeight>256</TileHeight>
        <MatrixWidth>{2**zoom}</MatrixWidth>
        <MatrixHeight>{2**zoom}</MatrixHeight>
      </TileMatrix>
"""
        for zoom in range(MAX_ZOOM + 1)
    )
    template = (HERE / "WMTSCapabilities.xml.in").read_text(encoding="utf-8")
    return template.format(url=f"{public_url}{WMTS}", layers=layers, matrices=matrices).encode()


def server(work: Path, port: int, public_url: str) -> http.server.ThreadingHTTPServer:
    """Both services on one port; ``public_url`` is the replica's address as clients see it."""
    tiles_map, dop_map, config = write_maps(work, public_url)
    document = capabilities(public_url)

    @functools.lru_cache(maxsize=2048)
    def tile(layer: str, z: int, y: int, x: int) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
        query = f"map={tiles_map}&mode=tile&tilemode=gmap&tile={x}+{y}+{z}&layers={layer}"
        status, headers, body = mapserv(config, query, port, WMTS)
        return status, tuple(headers.items()), body

    class Basemaps(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def handle(self) -> None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a map dropped tiles it no longer needs
                super().handle()

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path == f"{WMTS}/1.0.0/WMTSCapabilities.xml":
                return send(self, 200, {"Content-Type": "application/xml; charset=UTF-8"}, document)
            if path == WMS:
                return send(self, *mapserv(config, f"map={dop_map}&{query}", port, WMS))
            match = TILE_PATH.match(path)
            z, y, x = (int(match["z"]), int(match["y"]), int(match["x"])) if match else (-1, 0, 0)
            if not match or match["layer"] not in WMTS_LAYERS or z > MAX_ZOOM or max(x, y) >= 2**z:
                return send(self, 404, {"Content-Type": "text/plain"}, b"Not Found")
            status, headers, body = tile(match["layer"], z, y, x)
            return send(self, status, {**dict(headers), "Cache-Control": "max-age=86400"}, body)

    return http.server.ThreadingHTTPServer(("127.0.0.1", port), Basemaps)
