"""``chemnitz_metadata_quality_show``: a dataset's assessment through the Action API."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.chemnitz.quality import assessment


@tk.side_effect_free
def chemnitz_metadata_quality_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The MQA-style assessment of the dataset ``id``: points, percentage, rating and each indicator.

    Visible to whoever may see the dataset (``package_show`` decides).
    """
    dataset = tk.get_action("package_show")(context, {"id": tk.get_or_bust(data_dict, "id")})
    return assessment.assess(dataset).as_dict()


def actions() -> dict[str, Any]:
    return {"chemnitz_metadata_quality_show": chemnitz_metadata_quality_show}
