"""Checks a source configuration before it goes live: ``make check-source FILE=…``.

First everything that Airflow checks when it parses the DAG file (``pipelines.config``: the JSON
schema, the dataset fields of the portal, the schedule, the key, …); then, unless ``--offline``,
the source itself, read with the harvest's own extractors: it answers, with every declared field,
values of the declared types and a key that is filled and unique. One line per problem, each
naming the file and the field; exit status 1 when there is one. Warnings (attributes that a
harvest would withhold, withheld attributes the source does not have) do not fail the check.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import requests

from pipelines import config
from pipelines.errors import SourceError
from pipelines.extract import arcgis, tables, wfs
from pipelines.transform.types import convert
from pipelines.web import get, session

# The operator waits for the answer: one retry after half a second (a harvest retries 4 times).
RETRIES, BACKOFF = 1, 0.5
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")
INVALID = object()  # a value that cannot be typed as declared


@dataclass
class Report:
    """The problems (``errors``) and the remarks (``warnings``) of one file, one line each."""

    path: Path
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, where: str, text: str) -> None:
        self.errors.append(f"{self.path}: field '{where}': {text}")

    def warn(self, where: str, text: str) -> None:
        self.warnings.append(f"{self.path}: field '{where}': warning: {text}")


def check(path: Path, *, offline: bool = False) -> Report:
    """Check the configuration at ``path``; ask its source too unless ``offline``."""
    report = Report(path, errors=config.problems(path))
    if report.errors:
        return report
    source = config.load(path)
    _other_sources(source, report)
    if not offline:
        _source_answer(source, report)
    return report


def _other_sources(source: config.SourceConfig, report: Report) -> None:
    """Two configurations publishing into one dataset would overwrite each other's files and rows."""
    for other in config.all_paths():
        if other.resolve() == source.path.resolve() or other.stem == source.id:
            continue  # the file itself, or the one it replaces when it is dropped in
        if not config.problems(other) and config.load(other).dataset["name"] == source.dataset["name"]:
            report.error("dataset.name", f"{source.dataset['name']!r} is already the dataset of {other}")


def _source_answer(source: config.SourceConfig, report: Report) -> None:
    """Read the source as a harvest would and compare its answer with the configuration."""
    try:
        url = source.url
    except config.SourceConfigError as error:  # CHEMNITZ_SOURCES_ENDPOINT names a missing endpoint
        report.errors.append(str(error))
        return
    endpoint = f"source.endpoints.{source.endpoint}"
    try:
        frame = _read(source, url, report)
    except Exception as error:  # whatever fails the harvest's extract: unreachable, HTTP errors, unreadable files
        report.error(endpoint, _one_line(error, url))
        return
    if frame is None:
        return
    if frame.empty:
        report.error(endpoint, f"{url} answers with no features: a harvest fails on an empty source")
        return
    columns = [str(column) for column in frame.columns if column != "geometry"]
    _compare_fields(source, frame, columns, report)
    _check_key(source, frame, columns, report)


def _read(source: config.SourceConfig, url: str, report: Report) -> pd.DataFrame | None:
    """The source's features as the harvest's extractor returns them (None: it has not the layer)."""
    http = session(retries=RETRIES, backoff=BACKOFF)
    settings = source.source
    timeout = float(settings.get("timeout", 60))
    page_size = int(settings.get("page_size", 1000))
    if source.type == "arcgis":
        return arcgis.read_layer(http, url, page_size, timeout, source.crs)
    if source.type == "wfs":
        layer, offered = settings["layer"], _feature_types(http, url, timeout)
        if layer not in offered and layer not in [name.split(":")[-1] for name in offered]:
            report.error("source.layer", f"{url} offers no feature type {layer!r}{config.suggest(layer, offered)} "
                         f"(it offers: {', '.join(offered)})")  # fmt: skip
            return None
        return wfs.read_feature_type(http, url, settings["layer"], source.crs, page_size, timeout)
    frame = tables.read_table(
        http, url, kind=source.type, timeout=timeout, encoding=settings.get("encoding"),
        delimiter=settings.get("delimiter"), sheet=settings.get("sheet"),
    )  # fmt: skip
    if source.geometry:
        _check_points(source, source.geometry, url, frame, report)
    return frame


def _feature_types(http: requests.Session, url: str, timeout: float) -> list[str]:
    """The feature type names a WFS lists in its capabilities (``ms:Stadtteile``)."""
    answer = get(http, url, timeout, SERVICE="WFS", VERSION="2.0.0", REQUEST="GetCapabilities")
    try:
        root = ElementTree.fromstring(answer.content)
    except ElementTree.ParseError as error:
        raise SourceError(f"{answer.url}: the capabilities are not XML ({error})") from None
    return [
        name.text.strip()
        for feature_type in root.iter() if feature_type.tag.rsplit("}", 1)[-1] == "FeatureType"
        for name in feature_type if name.tag.rsplit("}", 1)[-1] == "Name" and name.text
    ]  # fmt: skip


def _check_points(
    source: config.SourceConfig, geometry: dict[str, str], url: str, frame: pd.DataFrame, report: Report
) -> None:
    """The X/Y columns (``geometry``, the source's) exist and, read in the declared CRS, put the points
    into Chemnitz."""
    columns = [str(column) for column in frame.columns]
    axes = {axis: str(geometry[axis]) for axis in ("x", "y")}
    for axis, name in axes.items():
        if name not in columns:
            report.error(f"geometry.{axis}", f"column {name!r} is not in the file{config.suggest(name, columns)}")
    if all(name in columns for name in axes.values()):
        try:
            tables.with_points(frame, (axes["x"], axes["y"]), source.source.get("decimal", "."), source.crs, url)
        except SourceError as error:
            report.error("crs", _one_line(error, url))


def _compare_fields(source: config.SourceConfig, frame: pd.DataFrame, columns: list[str], report: Report) -> None:
    """Every declared field is in the answer with values of its type; what else the answer has."""
    listed = ", ".join(columns)
    for spec in source.fields:
        if spec.source not in columns:
            report.error(f"fields.{spec.source}", f"not in the source's answer{config.suggest(spec.source, columns)} "
                                                  f"(it has: {listed})")  # fmt: skip
            continue
        bad = [value for value in frame[spec.source] if _typed(value, spec.type) is INVALID]
        if bad:
            report.error(f"fields.{spec.source}.type", f"{len(bad)} of {len(frame)} values are not a valid "
                         f"{spec.type} (e.g. {bad[0]!r}): a harvest leaves those features out")  # fmt: skip
    for withheld in source.withheld:
        if withheld.source not in columns:
            report.warn(f"withheld.{withheld.source}", "not in the source's answer: nothing to withhold")
    known = {f.source for f in source.fields} | {w.source for w in source.withheld}
    unlisted = [name for name in columns if name not in known and name not in (source.geometry or {}).values()]
    if unlisted:
        report.warn("fields", f"the source also has {', '.join(unlisted)}: a harvest withholds them as not "
                    "yet reviewed until they are added to fields or withheld")  # fmt: skip


def _check_key(source: config.SourceConfig, frame: pd.DataFrame, columns: list[str], report: Report) -> None:
    """The DataStore load refuses features without a key value or with a repeated one."""
    spec = next((f for f in source.fields if f.name == source.key), None)
    if spec is None or spec.source not in columns:
        return
    typed = [_typed(value, spec.type) for value in frame[spec.source]]
    empty = typed.count(None)
    if empty:
        report.error("key", f"{empty} of {len(typed)} features have no {spec.source}: the DataStore load refuses them")
    keys = pd.Series([key for key in typed if key is not None and key is not INVALID], dtype=object)
    repeated = keys[keys.duplicated()]
    if not repeated.empty:
        report.error("key", f"{spec.source} {repeated.iloc[0]!r} is not unique ({len(repeated)} repeats): "
                     "the DataStore load refuses repeated keys")  # fmt: skip


def _typed(value: object, kind: str) -> object:
    """The value as the transform types it (None: empty), or INVALID when a harvest would reject it."""
    try:
        return convert(value, kind)
    except (TypeError, ValueError):
        return INVALID


def _one_line(error: Exception, url: str) -> str:
    """The error's text on one line, starting with the URL; a failed connection shortened to its reason."""
    text = " ".join(str(error).split())
    if not isinstance(error, SourceError):  # the extractors' own errors start with the URL
        text = f"{url}: {type(error).__name__}: {text}"
    reason = _ERRNO.search(text)
    if reason:
        return f"{text.split(': ', 1)[0]}: not reachable ({reason.group(1).strip()})"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make check-source", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="source configuration (YAML)")
    parser.add_argument("--offline", action="store_true", help="do not ask the source")
    arguments = parser.parse_args(argv)
    failed = 0
    for path in arguments.files:
        report = check(path, offline=arguments.offline)
        for line in report.errors + report.warnings:
            print(line)
        if report.errors:
            failed += 1
            print(f"{path}: {len(report.errors)} problem(s)")
        else:
            print(f"{path}: OK" + (" (offline: the source was not asked)" if arguments.offline else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
