"""The three steps of every harvest, as functions of a source configuration and a work folder.

Airflow tasks call these and pass only small JSON-able summaries and file addresses between them;
the data itself stays in the run's folder of the pipeline store (``pipelines.store``: a shared
folder or a bucket, GeoParquet and JSON), so a retried task starts from its inputs, on whichever
worker it runs. Local files live only in a task's temporary folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Iterable
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from pipelines import store
from pipelines.config import SourceConfig, SourceConfigError
from pipelines.errors import SourceError
from pipelines.extract import arcgis, tables, versions, wfs
from pipelines.publish import ckan as publisher
from pipelines.publish import dcat
from pipelines.transform import datapackage, files, geometry
from pipelines.transform.types import Rejections, normalise
from pipelines.transform.values import contained_values
from pipelines.web import session

log = logging.getLogger(__name__)


def extract(config: SourceConfig, work: store.StorePath, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fetch the whole source into ``work/raw.parquet`` (GeoParquet); an empty source is an error.

    ``previous`` is the last successful run (its harvest-log row, ``previous_run``). When the
    source reports the same data version as then, and configuration and code are the same, nothing
    is fetched: the result says ``source_unchanged``. Otherwise the result carries the previous
    run's fingerprint for ``already_published``.
    """
    http = session()
    source = config.source
    timeout = float(source.get("timeout", 60))
    reported = versions.source_version(http, config.type, config.url, timeout)
    version = f"{reported};config={_config_digest(config)}" if reported else None
    if version and previous and previous.get("source_version") == version and previous.get("fingerprint"):
        return {"source_unchanged": True, "fetched": 0, "url": config.url, "source_version": version,
                "fingerprint": previous["fingerprint"], "rejected": previous.get("rejected") or 0}  # fmt: skip
    if config.type == "arcgis":
        frame: pd.DataFrame = arcgis.read_layer(
            http, config.url, int(source.get("page_size", 1000)), timeout, config.crs
        )
    elif config.type == "wfs":
        frame = wfs.read_feature_type(
            http, config.url, source["layer"], config.crs, int(source.get("page_size", 1000)), timeout
        )
    else:
        xy = (config.geometry["x"], config.geometry["y"]) if config.geometry else None
        frame = tables.read_table(
            http, config.url, kind=config.type, timeout=timeout, encoding=source.get("encoding"),
            delimiter=source.get("delimiter"), decimal=source.get("decimal", "."), sheet=source.get("sheet"),
            xy=xy, crs=config.crs,
        )  # fmt: skip
    if frame.empty:
        raise SourceError(f"{config.url}: the source has no features; the published dataset is left as it is")
    _check_growth(config, len(frame), (previous or {}).get("published_rows"))
    raw = work / "raw.parquet"
    store.write_frame(frame, raw)
    return {"raw": str(raw), "fetched": len(frame), "url": config.url, "fingerprint": fingerprint(config, frame),
            "source_version": version, "previous": _last_result(previous)}  # fmt: skip


def _last_result(previous: dict[str, Any] | None) -> dict[str, Any] | None:
    return {"fingerprint": previous.get("fingerprint"), "rejected": previous.get("rejected") or 0} if previous else None


def _check_growth(config: SourceConfig, fetched: int, published: int | None) -> None:
    """A source that suddenly has many times the features published is more likely broken (a
    duplicated export, a wrong layer) than grown: refuse, as for an empty source."""
    limit = float(config.source.get("max_growth", 5))
    if published and fetched > limit * published:
        raise SourceError(
            f"{config.url}: {fetched} features, more than {limit:g} times the {published} published; "
            "the published dataset is left as it is (raise source.max_growth if the source really grew)"
        )


def fingerprint(config: SourceConfig, frame: pd.DataFrame) -> str:
    """SHA-256 of what a harvest's result depends on: the source's data, its configuration file
    and the pipeline code. Equal fingerprints mean a new run would publish exactly the same."""
    digest = hashlib.sha256()
    digest.update(_pipeline_code_digest())
    digest.update(config.path.read_bytes())
    digest.update(",".join(map(str, frame.columns)).encode())
    attributes = pd.DataFrame(frame)
    if isinstance(frame, gpd.GeoDataFrame):
        attributes = attributes.drop(columns=frame.geometry.name)
        digest.update(b"".join(shapely.to_wkb(frame.geometry.to_numpy(), hex=False)))
    digest.update(pd.util.hash_pandas_object(attributes, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def _config_digest(config: SourceConfig) -> str:
    """Short digest of the configuration file and the pipeline code: a change to either reruns in full."""
    return hashlib.sha256(_pipeline_code_digest() + config.path.read_bytes()).hexdigest()[:16]


@cache
def _pipeline_code_digest() -> bytes:
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    return digest.digest()


def previous_run(config: SourceConfig, ckan_url: str, token: str) -> dict[str, Any] | None:
    """The dataset's last successful harvest (its harvest-log row) with the number of rows it
    published (``published_rows``), None before the first."""
    return publisher.last_run(publisher.connect(ckan_url, token), config.dataset["name"])


def already_published(extracted: dict[str, Any]) -> dict[str, Any]:
    """A transform result that says "skip" when the last successful run had the same fingerprint.

    Then transform and publish have nothing to do: the files, the DataStore table and the
    metadata they would produce are already published. Returns an empty dict otherwise.
    """
    if extracted.get("source_unchanged"):
        return {"skipped": True, "rejected": extracted["rejected"], "repaired": 0}
    last = extracted.get("previous")
    if not last or last["fingerprint"] != extracted["fingerprint"]:
        return {}
    return {"skipped": True, "rejected": last["rejected"], "repaired": 0}


def transform(config: SourceConfig, extracted: dict[str, Any], work: store.StorePath) -> dict[str, Any]:
    """Type, repair and reproject the features and write the distributions into ``work/files``."""
    frame = store.read_frame(store.location(extracted["raw"]))
    rejections = Rejections()
    try:
        typed = normalise(frame, config.fields, rejections)
    except SourceConfigError as error:  # the configured fields no longer match the source's answer
        raise SourceConfigError(f"{config.path.name}: {error}") from None
    repaired = 0
    if isinstance(frame, gpd.GeoDataFrame):
        typed = gpd.GeoDataFrame(typed, geometry="geometry", crs=frame.crs)
        typed, repaired = geometry.repair(typed, rejections)
    if typed.empty:
        raise SourceError(f"{config.url}: every feature was rejected: {rejections.reasons[:5]}")
    if config.key:
        typed = typed.sort_values(config.key, kind="stable")
        duplicated = typed[config.key].duplicated()
        if duplicated.any():
            raise SourceError(
                f"{config.url}: key {config.key} is not unique: {typed[config.key][duplicated].tolist()[:5]}"
            )
    withheld = withheld_attributes(config, frame.columns)
    table = files.tabular(typed)
    with tempfile.TemporaryDirectory(prefix="chemnitz-transform-") as local:
        outputs = files.write_all(typed, table, Path(local), config.dataset["title"])
        stored = [str(store.put(o.path, work / "files" / o.path.name)) for o in outputs]
    records = files.records(table)
    (work / "records.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    summary: dict[str, Any] = {
        "outputs": [dict(asdict(o), path=path) for o, path in zip(outputs, stored, strict=True)],
        "records": str(work / "records.json"),
        "rows": len(typed),
        "rejected": len(rejections),
        "rejections": rejections.reasons[:50],
        "repaired": repaired,
        "extra_numbers": [c for c in table.columns if c in files.COORDINATE_COLUMNS],
        "withheld": withheld,
        "contained_values": contained_values(typed, config.fields, config.contained_values),
    }
    if isinstance(typed, gpd.GeoDataFrame):
        summary["bbox"] = geometry.bounding_box(typed)
    summary["temporal"] = _temporal(typed, config)
    return summary


# Shown on the dataset page for an attribute the source gained after its configuration was written.
UNREVIEWED_REASON = (
    "Neu in der Quelle und noch nicht geprüft; wird nach der Prüfung veröffentlicht oder mit Begründung zurückgehalten."
)


def withheld_attributes(config: SourceConfig, columns: Iterable[Any]) -> list[dict[str, str]]:
    """The source's attributes that are not published, each with the reason the dataset page shows.

    Those the configuration withholds, and any attribute it does not know yet: a new attribute may
    carry personal data, so it is held back (with a warning in the task log) until someone adds it
    to ``fields`` or ``withheld``, never dropped silently.
    """
    known = {f.source for f in config.fields} | {w.source for w in config.withheld} | {"geometry"}
    if config.geometry:
        known |= {config.geometry["x"], config.geometry["y"]}
    withheld = [{"field": w.source, "reason": w.reason} for w in config.withheld]
    new = [str(c) for c in columns if str(c) not in known]
    if new:
        log.warning("%s: attributes %s are in the source but not in the configuration: withheld", config.path.name, new)
    return withheld + [{"field": name, "reason": UNREVIEWED_REASON} for name in new]


def publish(config: SourceConfig, transformed: dict[str, Any], ckan_url: str, token: str) -> dict[str, Any]:
    """Create or update the dataset, its files and its DataStore table; report what changed."""
    summary = publisher.PublishSummary(dataset=config.dataset["name"])
    if transformed.get("skipped"):
        return asdict(summary) | {"changed": False}
    ckan = publisher.connect(ckan_url, token)
    extent = dcat.metadata(config.dataset, config.schedule, transformed.get("bbox"), transformed.get("temporal"))
    desired = dict(
        extent,
        owner_org=config.organization,
        withheld_fields=transformed.get("withheld", []),
        contained_values=transformed.get("contained_values", []),
    )
    dataset = publisher.ensure_dataset(ckan, desired, summary)
    with tempfile.TemporaryDirectory(prefix="chemnitz-publish-") as local:
        resources = _publish_files(config, transformed, ckan, dataset, summary, Path(local))
    if config.datastore and config.key:
        records = json.loads(store.location(transformed["records"]).read_text(encoding="utf-8"))
        columns = publisher.datastore_columns(config.fields, transformed["extra_numbers"])
        publisher.load_datastore(ckan, resources["csv"], columns, config.key, records, summary)
    return asdict(summary) | {"changed": summary.changed}


def _publish_files(
    config: SourceConfig,
    transformed: dict[str, Any],
    ckan: Any,
    dataset: dict[str, Any],
    summary: publisher.PublishSummary,
    local: Path,
) -> dict[str, dict[str, Any]]:
    """The distributions from the store (copied into ``local``) and the CSV's type descriptions."""
    resources = {}
    for item in transformed["outputs"]:
        output = files.Output(**dict(item, path=store.fetch(store.location(item["path"]), local)))
        resources[output.key] = publisher.ensure_resource(ckan, dataset, output, summary)
    # what the CSV's columns are, for GDAL (.csvt) and Frictionless (pointing to the CSV's download)
    table = datapackage.columns(config.fields, transformed["extra_numbers"])
    for output in datapackage.write(config.dataset, table, config.key, resources["csv"]["url"], local):
        resources[output.key] = publisher.ensure_resource(ckan, dataset, output, summary)
    return resources


# The harvest log is shown to visitors on the dataset page ("Herkunft"): its words are German.
ACTIONS_IN_GERMAN = {"created": "neu", "updated": "aktualisiert", "unchanged": "unverändert"}


def record(
    config: SourceConfig,
    extracted: dict[str, Any],
    transformed: dict[str, Any],
    published: dict[str, Any],
    ckan_url: str,
    token: str,
    run_id: str,
) -> None:
    """Add this successful run to the dataset's harvest log."""
    ckan = publisher.connect(ckan_url, token)
    dataset = ckan.action.package_show(id=config.dataset["name"])
    german = ACTIONS_IN_GERMAN.get
    changes = ", ".join(f"{key}: {german(action, action)}" for key, action in published["resources"].items())
    if extracted.get("source_unchanged"):
        changes = "Quelle meldet unveränderte Daten (nicht abgerufen); Konfiguration unverändert"
    elif transformed.get("skipped"):
        changes = "Quelldaten und Konfiguration unverändert seit dem letzten Lauf"
    else:
        changes = f"Datensatz: {german(published['dataset_action'], published['dataset_action'])}; {changes}"
    publisher.record_run(
        ckan,
        dataset,
        {
            "run_id": run_id,
            "source_url": extracted["url"],
            "status": "geändert" if published["changed"] else "unverändert",
            "fetched": extracted["fetched"],
            "rejected": transformed["rejected"],
            "changes": changes,
            "fingerprint": extracted["fingerprint"],
            "source_version": extracted.get("source_version") or "",
        },
    )


def summary_line(extracted: dict[str, Any], transformed: dict[str, Any], published: dict[str, Any]) -> str:
    """fetched/created/updated/unchanged/rejected counts, as the Airflow log shows them."""
    actions = list(published["resources"].values())
    counts = {
        "fetched": extracted["fetched"],
        "rejected": transformed["rejected"],
        "repaired": transformed["repaired"],
        "dataset": published["dataset_action"],
        **{action: actions.count(action) for action in ("created", "updated", "unchanged")},
        "rows_upserted": published["rows_upserted"],
        "rows_deleted": published["rows_deleted"],
    }
    return " ".join(f"{key}={value}" for key, value in counts.items())


def _temporal(frame: pd.DataFrame, config: SourceConfig) -> dict[str, str] | None:
    dates = [f.name for f in config.fields if f.type in ("date", "datetime")]
    values = sorted(v for name in dates for v in frame[name].dropna().tolist())
    return {"start": values[0], "end": values[-1]} if values else None
