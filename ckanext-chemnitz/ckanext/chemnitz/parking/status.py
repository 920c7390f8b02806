"""What a visitor is told about one car park: free spaces, how full, how fresh.

The occupancy DAG writes the current state into a DataStore table (one row per car park, with the
source's time and a ``stale`` flag as of the poll). The page judges freshness again at the time it
is shown: a poll that stopped running must not leave old numbers looking live.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

CITY_TIME = ZoneInfo("Europe/Berlin")
# Shares of free spaces from which a car park counts as having many / some free spaces.
MANY_FREE, SOME_FREE = 0.3, 0.1


@dataclass(frozen=True)
class CarPark:
    id: str
    name: str
    state: str  # open | closed | nodata, as in ParkAPI
    total: int | None
    free: int | None
    observed_at: dt.datetime | None  # aware, UTC
    stale: bool
    lat: float | None
    lon: float | None

    @property
    def level(self) -> str:
        """``many``, ``some``, ``full`` by free share; ``closed``, ``stale`` or ``unknown`` otherwise.

        The level decides the colour on the map and the words in the table; stale numbers are
        never coloured as if they were live.
        """
        if self.state == "closed":
            return "closed"
        if self.free is None or not self.total or self.state == "nodata":
            return "unknown"
        if self.stale:
            return "stale"
        share = self.free / self.total
        return "many" if share >= MANY_FREE else "some" if share >= SOME_FREE else "full"

    @property
    def occupied_percent(self) -> int | None:
        if self.free is None or not self.total:
            return None
        return round(100 * (self.total - self.free) / self.total)

    def observed_local(self) -> dt.datetime | None:
        return self.observed_at.astimezone(CITY_TIME) if self.observed_at else None

    def age_minutes(self, now: dt.datetime) -> int | None:
        if self.observed_at is None:
            return None
        return max(0, int((now - self.observed_at).total_seconds() // 60))


def as_utc(value: Any) -> dt.datetime | None:
    """A DataStore time as an aware datetime in UTC.

    The table's ``timestamptz`` column gives ISO text with an offset; a table from before the
    pipelines stored the zone (``timestamp``) gives it without one, always meant as UTC.
    """
    if not value:
        return None
    moment = dt.datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment.astimezone(dt.timezone.utc)


def car_parks(records: Iterable[Mapping[str, Any]], now: dt.datetime, stale_after: dt.timedelta) -> list[CarPark]:
    """Car parks from rows of the current-occupancy table, sorted by name.

    A row is stale when the poll said so or when its source time is older than ``stale_after``
    now; a row without a source time is stale too.
    """
    parks = []
    for row in records:
        observed = as_utc(row.get("observed_at"))
        parks.append(
            CarPark(
                id=str(row["car_park"]),
                name=str(row.get("name") or row["car_park"]),
                state=str(row.get("state") or "nodata"),
                total=row.get("total"),
                free=row.get("free"),
                observed_at=observed,
                stale=bool(row.get("stale")) or observed is None or now - observed > stale_after,
                lat=row.get("lat"),
                lon=row.get("lon"),
            )
        )
    return sorted(parks, key=lambda park: park.name.casefold())


def newest_observation(parks: Iterable[CarPark]) -> dt.datetime | None:
    times = [park.observed_at for park in parks if park.observed_at]
    return max(times) if times else None


def helpers() -> dict[str, Any]:
    return {"chemnitz_city_time": lambda: CITY_TIME}
