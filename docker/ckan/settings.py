"""Writes the CKAN configuration file of a container from its environment.

The portal's fixed settings come from ``config/ckan-portal.conf`` (the same file ``make demo``
uses); everything that differs between installations comes from environment variables named as
ckanext-envvars names them: ``CKAN__SITE_TITLE`` → ``ckan.site_title``,
``CKANEXT__CHEMNITZ__PARKING__DATASET`` → ``ckanext.chemnitz.parking.dataset``, and for keys that do
not start with ``ckan``, three underscores: ``CKAN___SECRET_KEY`` → ``SECRET_KEY``,
``CKAN___BEAKER__SESSION__TYPE`` → ``beaker.session.type``. CKAN itself reads its core variables
(``CKAN_SQLALCHEMY_URL``, ``CKAN_SOLR_URL``, ``CKAN_SITE_URL``, … see ``docs/deployment.md``) at
every start, so they are not written into the file.

Usage: ``settings.py`` with ``CKAN_INI`` (the file to write) and ``PORTAL_ROOT`` (the checkout,
``/srv/portal`` in the image) in the environment; runs in CKAN's Python.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

# Settings that must come from the environment: without them the portal is insecure or unusable.
REQUIRED = ("SECRET_KEY", "sqlalchemy.url", "ckan.site_url")
# CKAN's own environment variables (ckan/config/environment.py, CONFIG_FROM_ENV_VARS).
CKAN_CORE = {"CKAN_SQLALCHEMY_URL": "sqlalchemy.url", "CKAN_SITE_URL": "ckan.site_url"}


def portal_settings(root: Path, var: Path) -> dict[str, str]:
    """``config/ckan-portal.conf`` with its ``{root}`` and ``{var}`` placeholders filled in."""
    settings = {}
    for line in (root / "config" / "ckan-portal.conf").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, value = line.split(" = ", 1)
            settings[key] = value.replace("{root}", str(root)).replace("{var}", str(var))
    return settings


def declared_uppercase() -> frozenset[str]:
    """Options CKAN declares in upper case (Flask's, e.g. ``SECRET_KEY``): kept as they are."""
    import ckan

    declaration = Path(ckan.__file__).parent / "config" / "config_declaration.yaml"
    return frozenset(re.findall(r"^\s*- key: ([A-Z][A-Z0-9_]*)$", declaration.read_text(encoding="utf-8"), re.M))


def option_name(variable: str, uppercase: frozenset[str] = frozenset()) -> str | None:
    """The CKAN option an environment variable sets by ckanext-envvars' convention, or None."""
    if variable.startswith("CKAN___"):
        rest = variable[len("CKAN___") :]
        return rest if rest in uppercase else rest.lower().replace("__", ".")
    for prefix in ("CKAN__", "CKANEXT__"):
        if variable.startswith(prefix):
            return variable.lower().replace("__", ".")
    return None


def from_environment(environment: Mapping[str, str]) -> dict[str, str]:
    uppercase = declared_uppercase()
    return {option: value for name, value in environment.items() if (option := option_name(name, uppercase))}


def missing(settings: Mapping[str, str], environment: Mapping[str, str]) -> list[str]:
    """Required options neither in the file's settings nor in CKAN's own variables."""
    given = {option for option, value in settings.items() if value}
    given |= {option for name, option in CKAN_CORE.items() if environment.get(name)}
    return [option for option in REQUIRED if option not in given]


def main() -> int:
    ini = Path(os.environ.get("CKAN_INI", "/srv/portal/var/ckan.ini"))
    root = Path(os.environ.get("PORTAL_ROOT", "/srv/portal"))
    var = ini.parent
    settings = portal_settings(root, var) | from_environment(os.environ)
    # The search backend: Solr when CKAN_SOLR_URL is set, PostgreSQL otherwise. `ckan generate
    # config` writes a Solr URL, and CKAN ignores an empty variable, so the file must say it.
    settings["solr_url"] = os.environ.get("CKAN_SOLR_URL", "")
    if absent := missing(settings, os.environ):
        names = ", ".join(absent)
        print(f"settings.py: no value for {names}; set them in the environment (docker/.env.example)", file=sys.stderr)
        return 2
    from ckanext.chemnitz.dcat.vocabularies import license_register

    var.mkdir(parents=True, exist_ok=True)
    (var / "licenses.json").write_text(json.dumps(license_register(), ensure_ascii=False), encoding="utf-8")
    ckan = str(Path(sys.executable).with_name("ckan"))
    if not ini.exists():
        subprocess.run([ckan, "generate", "config", str(ini)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([ckan, "config-tool", str(ini), *(f"{key}={value}" for key, value in settings.items())], check=True)
    print(f"settings.py: wrote {ini} ({len(settings)} settings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
