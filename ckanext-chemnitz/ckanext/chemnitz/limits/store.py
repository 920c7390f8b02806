"""Counters over a time window and slots of running work, in Redis, failing open.

Every function here answers as if nothing had been counted when Redis cannot be reached, and
logs a warning naming what goes unlimited: a Redis outage must not lock anyone out.
"""

from __future__ import annotations

import logging
import time
import uuid

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from redis.exceptions import RedisError

log = logging.getLogger("ckanext.chemnitz.limits")


def key(*parts: str) -> str:
    """A Redis key of the limits, per site (several portals may share one Redis)."""
    return ":".join([tk.config.get("ckan.site_id"), "chemnitz", "limits", *parts])


def _unavailable(what: str, error: RedisError) -> None:
    log.warning("%s not limited, Redis unavailable: %s", what, error)


def count(name: str, what: str) -> tuple[int, int]:
    """The count in window ``name`` and the seconds until it is forgotten ((0, 0) if none)."""
    try:
        with connect_to_redis().pipeline() as pipe:
            value, ttl = pipe.get(name).ttl(name).execute()
    except RedisError as error:
        _unavailable(what, error)
        return 0, 0
    return int(value or 0), max(int(ttl), 0)


def add(name: str, window: int, what: str) -> tuple[int, int]:
    """One more in window ``name`` (started by its first count, lasting ``window`` s): the count, seconds left."""
    try:
        with connect_to_redis().pipeline() as pipe:
            _, value, ttl = pipe.set(name, 0, ex=window, nx=True).incr(name).ttl(name).execute()
    except RedisError as error:
        _unavailable(what, error)
        return 0, 0
    return int(value), max(int(ttl), 0)


def prolong(name: str, seconds: int, what: str) -> None:
    """Keep window ``name`` (and its count) for ``seconds`` from now."""
    try:
        connect_to_redis().expire(name, seconds)
    except RedisError as error:
        _unavailable(what, error)


def forget(name: str, what: str) -> None:
    try:
        connect_to_redis().delete(name)
    except RedisError as error:
        _unavailable(what, error)


def occupy(limits: dict[str, int], lifetime: int, what: str) -> tuple[str, str | None]:
    """Take a slot in every set of ``limits`` (set name: most slots).

    Returns the slot's token and None, or a token and the name of the first full set (the slot
    is then given back). A slot a dead worker never gave back lapses after ``lifetime`` seconds.
    Taken first and counted after, so two requests racing for the last slot may both be refused,
    never both admitted.
    """
    token, now = uuid.uuid4().hex, time.time()
    try:
        with connect_to_redis().pipeline() as pipe:
            for name in limits:
                pipe.zremrangebyscore(name, "-inf", now).zadd(name, {token: now + lifetime}).zcard(name)
                pipe.expire(name, lifetime)
            results = pipe.execute()
    except RedisError as error:
        _unavailable(what, error)
        return token, None
    taken = dict(zip(limits, results[2::4], strict=True))
    full = next((name for name, most in limits.items() if taken[name] > most), None)
    if full is not None:
        vacate(list(limits), token, what)
    return token, full


def vacate(names: list[str], token: str, what: str) -> None:
    try:
        with connect_to_redis().pipeline() as pipe:
            for name in names:
                pipe.zrem(name, token)
            pipe.execute()
    except RedisError as error:
        _unavailable(what, error)
