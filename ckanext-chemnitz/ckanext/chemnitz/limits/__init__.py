"""Abuse limits: login attempts, the feedback form, ``datastore_search_sql``, the user list.

Counters and running queries are kept in Redis so that every gunicorn worker sees the same
numbers. When Redis is down the limits are not enforced (fail open, logged), as the rest of the
portal degrades: pages and the API keep answering (see tests/reliability/test_redis_down.py).
"""
