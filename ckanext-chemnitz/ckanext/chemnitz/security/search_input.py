"""``package_search`` input that CKAN itself would answer with a server error.

CKAN 2.12 validates ``rows``, ``start`` and ``facet.mincount`` with ``natural_number_validator``,
which turns an empty value into ``None`` and then compares it with 0: ``?rows=`` is an HTTP 500.
An empty value means "not given" here, so the defaults apply (found by tests/security's fuzzing).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

BLANK_MEANS_DEFAULT = frozenset({"rows", "start", "facet.mincount", "facet.limit"})


@tk.chained_action
@tk.side_effect_free
def package_search(original: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    cleaned = {
        key: value
        for key, value in data_dict.items()
        if not (key in BLANK_MEANS_DEFAULT and isinstance(value, str) and not value.strip())
    }
    return original(context, cleaned)
