"""Feed pycsw's repository from the portal's ISO 19139 records (``/iso19139``); runs in ``.venv/csw``.

The portal is the only source of the catalogue service's records, as the Action API is the only way
the pipelines reach the portal: this reads ``/iso19139`` (identifiers and ``dateStamp``), fetches the
records that are new or whose ``dateStamp`` changed, checks each against the ISO 19139 application
profile's XSD (a record GDI-DE would refuse is not served), and removes the records the portal no
longer lists (a dataset deleted, made private or without extent). Unchanged records cost nothing, so
it can run every few minutes (``--every``) or after each harvest.

    .venv/csw/bin/python -m csw.sync --portal http://127.0.0.1:5000 --config csw/pycsw.cfg [--every 300]

Exit status 1 when a record could not be read or is invalid (the others are still loaded).
"""

from __future__ import annotations

import argparse
import configparser
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import pycsw
import requests
from lxml import etree
from pycsw.core import admin, metadata, repository, util
from pycsw.core.config import StaticContext
from pycsw.server import EnvInterpolation

log = logging.getLogger("csw.sync")
TIMEOUT_SECONDS = 60
APISO_XSD = Path(pycsw.__file__).parent / "plugins/profiles/apiso/schemas/ogc/csw/2.0.2/profiles/apiso/1.0.0/apiso.xsd"


@dataclass
class Summary:
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"{len(self.inserted)} inserted, {len(self.updated)} updated, {len(self.deleted)} deleted, "
            f"{self.unchanged} unchanged, {len(self.failed)} failed"
        )


def read_config(path: Path) -> configparser.ConfigParser:
    """pycsw's configuration as pycsw reads it (environment variables expanded)."""
    config = configparser.ConfigParser(interpolation=EnvInterpolation())
    with path.open(encoding="utf-8") as handle:
        config.read_file(handle)
    return config


def open_repository(config: configparser.ConfigParser, context: StaticContext) -> repository.Repository:
    """The repository, created on first use (tables, indexes, the spatial functions SQLite needs)."""
    database = config.get("repository", "database")
    table = config.get("repository", "table")
    if database.startswith("sqlite:///") and not Path(database.removeprefix("sqlite:///")).exists():
        admin.setup_db(database, table, config.get("server", "home"))
    return repository.Repository(database, context, table=table)


def sync(portal: str, config_path: Path, session: requests.Session | None = None) -> Summary:
    """Bring the repository to exactly the records ``portal`` lists."""
    http = session or requests.Session()
    config = read_config(config_path)
    context = StaticContext()
    repo = open_repository(config, context)
    identifier_column = getattr(repo.dataset, context.md_core_model["mappings"]["pycsw:Identifier"])
    modified_column = getattr(repo.dataset, context.md_core_model["mappings"]["pycsw:Modified"])
    stored = dict(repo.session.query(identifier_column, modified_column).all())

    answer = http.get(f"{portal.rstrip('/')}/iso19139", timeout=TIMEOUT_SECONDS)
    answer.raise_for_status()
    listed = answer.json()["records"]
    schema = etree.XMLSchema(etree.parse(str(APISO_XSD)))
    summary = Summary()
    for entry in listed:
        identifier = entry["identifier"]
        if stored.get(identifier) == entry["modified"]:
            summary.unchanged += 1
            continue
        try:
            record = _fetch(http, entry["url"], schema)
            parsed = metadata.parse_record(context, record, repo)[0]
        # pycsw's parser raises RuntimeError for a record it cannot read; the last good version stays served
        except (requests.RequestException, etree.XMLSyntaxError, ValueError, RuntimeError) as error:
            summary.failed[identifier] = str(error)
            log.error("%s: %s", entry["url"], error)
            continue
        if identifier in stored:
            _delete(repo, [identifier])
            summary.updated.append(identifier)
        else:
            summary.inserted.append(identifier)
        repo.insert(parsed, "local", util.get_today_and_now())
    gone = sorted(set(stored) - {entry["identifier"] for entry in listed})
    if gone:
        _delete(repo, gone)
        summary.deleted = gone
    return summary


def _fetch(http: requests.Session, url: str, schema: etree.XMLSchema) -> etree._Element:
    answer = http.get(url, timeout=TIMEOUT_SECONDS)
    answer.raise_for_status()
    record = etree.fromstring(answer.content)
    if not schema.validate(record):
        raise ValueError(f"not valid ISO 19139 (apiso.xsd): {schema.error_log.last_error}")
    return record


def _delete(repo: repository.Repository, identifiers: list[str]) -> None:
    names = [f":pvalue{number}" for number in range(len(identifiers))]  # pycsw names its parameters so
    repo.delete({"where": f"identifier IN ({', '.join(names)})", "values": identifiers})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portal", required=True, help="the portal's address, e.g. http://127.0.0.1:5000")
    parser.add_argument("--config", type=Path, required=True, help="pycsw's configuration (csw/pycsw.cfg)")
    parser.add_argument("--every", type=int, default=0, help="repeat every N seconds (0: once)")
    options = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("pycsw").setLevel(logging.WARNING)  # one line per record otherwise
    while True:
        try:
            summary = sync(options.portal, options.config)
        except requests.RequestException as error:  # the portal is down: try again next time
            log.error("the portal's record list could not be read: %s", error)
            summary = Summary(failed={"/iso19139": str(error)})
        log.info("%s", summary)
        if not options.every:
            return 1 if summary.failed else 0
        time.sleep(options.every)


if __name__ == "__main__":
    raise SystemExit(main())
