"""WSGI entry point of the portal for gunicorn; the CKAN configuration file comes from ``CKAN_INI``."""

import fcntl
import logging
import os
from pathlib import Path

from ckan.cli import load_config
from ckan.config.middleware import make_app
from ckan.lib.i18n import build_js_translations, get_js_translations_dir

config = load_config(os.environ["CKAN_INI"])
# CKAN applies the ini's logging sections with logging.config.fileConfig, which disables every
# logger created before, gunicorn's among them: without this, --access-logfile stays empty.
for name in ("gunicorn.access", "gunicorn.error"):
    logging.getLogger(name).disabled = False
application = make_app(config)


def _javascript_translations() -> None:
    """The German strings of CKAN's JavaScript modules (``/api/i18n/de``), built from the catalogues.

    ``ckan run`` builds them at start; under gunicorn nothing does, and every button a module adds
    stays English. Each worker checks (the build skips up-to-date files), one at a time.
    """
    folder = Path(get_js_translations_dir())
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        build_js_translations()


_javascript_translations()
