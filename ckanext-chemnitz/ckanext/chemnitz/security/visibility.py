"""Datasets someone may not see stay invisible on the channels CKAN leaves open.

CKAN hides private datasets and drafts from search, but not everywhere else:

- an existence answer: ``package_show`` of a private dataset answers 403 with its id (404 would
  not tell that it exists) — the same for its resources, activity stream, RDF and DataStore table;
- activity streams filter only activities of type ``… package`` by the permission labels the
  dataset had *then*: a dataset deleted or made private later keeps its old public activities
  (with its full content), the activities of resource views (the previews created automatically)
  carry no labels at all, and ``activity_diff`` compares with a previous version nobody checked;
- a purged dataset's activities (its full content) stay public;
- ``member_list`` lists an organization's private datasets, ``tag_list``, the tag and format
  autocompletes the tags and formats of private datasets.

Who may see a dataset is what ``package_show``'s authorization says: the dataset's permission
labels meet the user's (``ckan.lib.plugins.get_permission_labels``); sysadmins see everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib.plugins import get_permission_labels

Action = Callable[..., Any]

# -- who sees what ---------------------------------------------------------------------------


def viewer_labels(context: dict[str, Any]) -> frozenset[str] | None:
    """The permission labels of the asking user; None for sysadmins and internal calls (see all)."""
    user = context.get("user")
    if context.get("ignore_auth") or authz.is_sysadmin(user):
        return None
    user_obj = context.get("auth_user_obj") or (model.User.get(user) if user else None)
    return frozenset(get_permission_labels().get_user_dataset_labels(user_obj))


def may_see(labels: frozenset[str] | None, dataset: model.Package | None) -> bool:
    if labels is None:
        return True
    return dataset is not None and not labels.isdisjoint(get_permission_labels().get_dataset_labels(dataset))


def visible_dataset_ids(labels: frozenset[str] | None, ids: Iterable[str]) -> set[str]:
    """The ids among ``ids`` of existing datasets the user may see (one query)."""
    wanted = set(ids)
    if not wanted:
        return set()
    datasets = model.Session.query(model.Package).filter(model.Package.id.in_(wanted))
    return {dataset.id for dataset in datasets if may_see(labels, dataset)}


def hidden_dataset_ids(labels: frozenset[str]) -> list[str]:
    """Ids of the datasets the user may not see: among the private, draft and deleted ones."""
    not_public = model.Session.query(model.Package).filter(
        sa.not_(sa.and_(model.Package.state == "active", model.Package.private.is_(False)))
    )
    return [dataset.id for dataset in not_public if not may_see(labels, dataset)]


# -- existence answers -----------------------------------------------------------------------


def _dataset_by_id(data_dict: dict[str, Any]) -> model.Package | None:
    reference = data_dict.get("id") or data_dict.get("name_or_id")
    return model.Package.get(reference) if isinstance(reference, str) else None


def _dataset_of_resource(key: str) -> Callable[[dict[str, Any]], model.Package | None]:
    def find(data_dict: dict[str, Any]) -> model.Package | None:
        reference = data_dict.get(key)
        resource = model.Resource.get(reference) if isinstance(reference, str) else None
        return model.Package.get(resource.package_id) if resource else None

    return find


def _missing_resource(data_dict: dict[str, Any]) -> str:
    # word for word the DataStore's answer for a table that does not exist (untranslated there, too)
    return f'Resource "{data_dict.get("resource_id")}" was not found.'


# action → (the dataset it is about, the message the action gives for an id that does not exist)
EXISTENCE_ANSWERS: dict[str, tuple[Callable[[dict[str, Any]], model.Package | None], Callable | None]] = {
    "package_show": (_dataset_by_id, None),
    "package_activity_list": (_dataset_by_id, None),
    "dcat_dataset_show": (_dataset_by_id, None),
    "resource_show": (_dataset_of_resource("id"), None),
    "resource_view_list": (_dataset_of_resource("id"), None),
    "datastore_search": (_dataset_of_resource("resource_id"), _missing_resource),
}


def _not_found_when_hidden(name: str, action: Action) -> Action:
    """``action`` answering "not found" instead of "not authorized" to those who may not see the dataset."""
    find_dataset, message = EXISTENCE_ANSWERS[name]

    def answer(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
        try:
            return action(original, context, data_dict)
        except tk.NotAuthorized:
            # CKAN's own switch for sites that want private datasets' existence known (and a login asked for)
            if tk.config.get("ckan.auth.reveal_private_datasets") or may_see(
                viewer_labels(context), find_dataset(data_dict)
            ):
                raise
            raise (tk.ObjectNotFound(message(data_dict)) if message else tk.ObjectNotFound()) from None

    return answer


def _call(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    return original(context, data_dict)


# -- activities ------------------------------------------------------------------------------


def _about_dataset(activity_type: str | None) -> bool:
    """Activities whose object is a dataset: ``new package`` …, ``new resource view`` …"""
    return activity_type is not None and activity_type.endswith(("package", "resource view"))


def _visible_activities(labels: frozenset[str] | None, activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The activities whose dataset the user may see now, and whose labels (the dataset's then) admit them."""
    if labels is None:
        return activities
    about = [a for a in activities if _about_dataset(a.get("activity_type"))]
    visible = visible_dataset_ids(labels, {a["object_id"] for a in about})
    return [
        a
        for a in activities
        if not _about_dataset(a.get("activity_type"))
        or (
            a["object_id"] in visible
            and (a.get("permission_labels") is None or not labels.isdisjoint(a["permission_labels"]))
        )
    ]


def _filtered_stream(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """An activity list without what the user may not see, refilled from the next activities so a
    page stays full (the pages tell "older activities" from a full page)."""
    first = original(dict(context), dict(data_dict))
    labels = viewer_labels(context)
    if labels is None:
        return first
    # CKAN reverses the order for "only after" pages: oldest first in the query, newest first shown.
    oldest_first = bool(data_dict.get("after")) and not data_dict.get("before")
    page_size, offset, batch = len(first), int(data_dict.get("offset") or 0), first
    kept: list[dict[str, Any]] = []
    while True:
        visible = _visible_activities(labels, batch)
        kept.extend(reversed(visible) if oldest_first else visible)
        if len(kept) >= page_size or len(batch) < page_size or not page_size:
            break
        offset += len(batch)
        batch = original(dict(context), {**data_dict, "offset": offset})
    kept = kept[:page_size]
    return list(reversed(kept)) if oldest_first else kept


def _stream(action: Action) -> Action:
    return lambda original, context, data_dict: _filtered_stream(
        lambda c, d: action(original, c, d), context, data_dict
    )


def _check_activity(context: dict[str, Any], activity: dict[str, Any] | Any) -> None:
    """NotFound unless the user may see the activity (as its list would show it)."""
    as_dict = activity if isinstance(activity, dict) else {
        "activity_type": activity.activity_type, "object_id": activity.object_id,
        "permission_labels": activity.permission_labels,
    }  # fmt: skip
    if not _visible_activities(viewer_labels(context), [as_dict]):
        raise tk.ObjectNotFound()  # as for an activity id that does not exist


def _single_activity(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    from ckanext.activity.model import Activity

    activity = model.Session.get(Activity, data_dict.get("id")) if isinstance(data_dict.get("id"), str) else None
    if activity is not None:
        _check_activity(context, activity)
    return original(context, data_dict)


def _activity_diff(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    # CKAN checks the activity asked for, not the previous version it compares it with.
    diff = _single_activity(original, context, data_dict)
    for activity in diff["activities"]:
        _check_activity(context, activity)
    return diff


def delete_activities_of(dataset_id: str) -> None:
    """A purged dataset leaves no activity: they hold its full content."""
    from ckanext.activity.model.activity import Activity, ActivityDetail

    ids = model.Session.query(Activity.id).filter(Activity.object_id == dataset_id)
    model.Session.query(ActivityDetail).filter(ActivityDetail.activity_id.in_(ids.scalar_subquery())).delete(
        synchronize_session=False
    )
    model.Session.query(Activity).filter(Activity.object_id == dataset_id).delete(synchronize_session=False)
    model.Session.commit()


@tk.chained_action
def dataset_purge(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    dataset = _dataset_by_id(data_dict)
    result = original(context, data_dict)
    if dataset is not None and p.plugin_loaded("activity"):
        delete_activities_of(dataset.id)
    return result


# -- lists that name datasets, tags and formats ---------------------------------------------


@tk.chained_action
@tk.side_effect_free
def member_list(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    members = original(context, data_dict)
    labels = viewer_labels(context)
    if labels is None:
        return members
    visible = visible_dataset_ids(labels, [m[0] for m in members if m[1] == "package"])
    return [m for m in members if m[1] != "package" or m[0] in visible]


def visible_tag_names(labels: frozenset[str] | None, names: Iterable[str]) -> set[str]:
    """The tags among ``names`` on at least one dataset the user may see."""
    wanted = set(names)
    if labels is None or not wanted:
        return wanted
    query = (
        model.Session.query(model.Tag.name)
        .join(model.PackageTag, model.PackageTag.tag_id == model.Tag.id)
        .filter(model.Tag.name.in_(wanted), model.PackageTag.state == "active")
        .filter(model.PackageTag.package_id.notin_(hidden_dataset_ids(labels)))
    )
    return {name for (name,) in query.distinct()}


def _tag_name(tag: str | dict[str, Any]) -> str:
    return tag if isinstance(tag, str) else tag["name"]


def _visible_tags(tags: list[Any], context: dict[str, Any]) -> list[Any]:
    visible = visible_tag_names(viewer_labels(context), [_tag_name(t) for t in tags])
    return [t for t in tags if _tag_name(t) in visible]


@tk.chained_action
@tk.side_effect_free
def tag_list(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    return _visible_tags(original(context, data_dict), context)


@tk.chained_action
@tk.side_effect_free
def tag_autocomplete(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    return _visible_tags(original(context, data_dict), context)


@tk.chained_action
@tk.side_effect_free
def tag_search(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    found = original(context, data_dict)
    results = _visible_tags(found["results"], context)
    return {"count": found["count"] - (len(found["results"]) - len(results)), "results": results}


@tk.chained_action
@tk.side_effect_free
def tag_show(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    tag = original(context, data_dict)
    if tag.get("vocabulary_id") is None and not _visible_tags([tag], context):
        raise tk.ObjectNotFound()
    return tag


@tk.chained_action
@tk.side_effect_free
def format_autocomplete(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    formats = original(context, data_dict)
    labels = viewer_labels(context)
    if labels is None or not formats:
        return formats
    query = (
        model.Session.query(sa.func.lower(model.Resource.format))
        .filter(sa.func.lower(model.Resource.format).in_(formats), model.Resource.state == "active")
        .filter(model.Resource.package_id.notin_(hidden_dataset_ids(labels)))
    )
    visible = {name for (name,) in query.distinct()}
    return [f for f in formats if f in visible]


# -- wiring ----------------------------------------------------------------------------------

ACTIVITY_STREAMS = (
    "user_activity_list",
    "group_activity_list",
    "organization_activity_list",
    "recently_changed_packages_activity_list",
    "dashboard_activity_list",
)


def _chained(function: Action, side_effect_free: bool = True) -> Action:
    def chained(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
        return function(original, context, data_dict)

    chained.chained_action = True  # type: ignore[attr-defined]
    if side_effect_free:
        chained.side_effect_free = True  # type: ignore[attr-defined]
    return chained


def actions() -> dict[str, Action]:
    """The chained actions, for those of the loaded plugins (a chain needs its action)."""
    chained: dict[str, Action] = {
        "member_list": member_list,
        "tag_list": tag_list,
        "tag_autocomplete": tag_autocomplete,
        "tag_search": tag_search,
        "tag_show": tag_show,
        "format_autocomplete": format_autocomplete,
        "dataset_purge": dataset_purge,
    }
    for name in ("package_show", "resource_show", "resource_view_list"):
        chained[name] = _chained(_not_found_when_hidden(name, _call))
    if p.plugin_loaded("dcat"):
        chained["dcat_dataset_show"] = _chained(_not_found_when_hidden("dcat_dataset_show", _call))
    if p.plugin_loaded("datastore"):
        chained["datastore_search"] = _chained(_not_found_when_hidden("datastore_search", _call))
    if p.plugin_loaded("activity"):
        for name in ACTIVITY_STREAMS:
            chained[name] = _chained(_stream(_call))
        chained["package_activity_list"] = _chained(_not_found_when_hidden("package_activity_list", _stream(_call)))
        chained["activity_show"] = _chained(_single_activity)
        chained["activity_data_show"] = _chained(_single_activity)
        chained["activity_diff"] = _chained(_activity_diff)
    return chained
