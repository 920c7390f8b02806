"""Street addresses as places: "Hohe Straße 35" resolved against the portal's own Hauskoordinaten.

The harvested dataset ``ckanext.chemnitz.addresses.dataset`` (GeoSN's house coordinates, source
``hauskoordinaten``) holds every address of the city in its DataStore table (the CSV resource:
``stn``, ``hnr``, ``adz``, ``lon``, ``lat``). Nothing a visitor types leaves the portal: no outside
geocoder is asked. Spelling is forgiven the usual way (``Str.``/``Strasse``, case, hyphens).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
from shapely.affinity import scale
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

ADDRESS = re.compile(r"^\s*(?P<street>\D+?)\s*(?P<number>\d+)\s*(?P<suffix>[a-zA-Z])?\s*(?:,.*)?$")
METRES_PER_DEGREE = 111_320.0


class AddressError(ValueError):
    """The address cannot be used; the message is for the visitor."""


@dataclass(frozen=True)
class Address:
    label: str
    lon: float
    lat: float

    def box(self, metres: float) -> tuple[float, float, float, float]:
        """West, south, east, north of the square ``metres`` around the address."""
        dlat = metres / METRES_PER_DEGREE
        dlon = dlat / math.cos(math.radians(self.lat))
        return self.lon - dlon, self.lat - dlat, self.lon + dlon, self.lat + dlat

    def circle(self, metres: float) -> BaseGeometry:
        """The circle of ``metres`` around the address, in degrees (an ellipse in lon/lat)."""
        west, south, east, _ = self.box(metres)
        half_height = self.lat - south
        return scale(Point(self.lon, self.lat).buffer(half_height, 32), xfact=(east - west) / (2 * half_height))


def street_key(street: str) -> str:
    """A street name as people write it, reduced to what identifies it."""
    text = street.casefold().replace("ß", "ss").replace("-", " ")
    text = re.sub(r"str(?:\.|asse)?(?=\s|$)", "strasse", text)  # Str., Str, Strasse at a word's end
    return re.sub(r"[\s.]+", " ", text).strip()


def resolve(text: str) -> Address:
    """The address with its point, or an AddressError saying why not."""
    match = ADDRESS.match(text or "")
    if not match:
        raise AddressError(tk._("Please enter a street and a house number, e.g. Hohe Straße 35."))
    street, number, suffix = match["street"].strip(" ,"), int(match["number"]), (match["suffix"] or "").lower()
    wanted = street_key(street)
    for row in _rows_with_number(number):
        if street_key(str(row.get("stn") or "")) == wanted and str(row.get("adz") or "").lower() == suffix:
            label = f"{row['stn']} {number}{suffix}"
            return Address(label=label, lon=float(row["lon"]), lat=float(row["lat"]))
    raise AddressError(
        tk._("The address {address} is not in the house coordinates of the city.").format(address=text.strip())
    )


def _rows_with_number(number: int) -> list[dict[str, Any]]:
    context: dict[str, Any] = {"ignore_auth": False}
    try:
        dataset = tk.get_action("package_show")(context, {"id": tk.config.get("ckanext.chemnitz.addresses.dataset")})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        raise AddressError(tk._("The portal has no house coordinates yet.")) from None
    table = next(
        (r for r in dataset.get("resources", []) if r.get("harvest_key") == "csv" and r.get("datastore_active")), None
    )
    if table is None:
        raise AddressError(tk._("The portal has no house coordinates yet."))
    found = tk.get_action("datastore_search")(
        {}, {"resource_id": table["id"], "filters": {"hnr": number}, "limit": 5000, "fields": "stn,hnr,adz,lon,lat"}
    )
    return found["records"]
