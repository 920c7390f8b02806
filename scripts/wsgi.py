"""WSGI entry point of the portal for gunicorn; the CKAN configuration file comes from ``CKAN_INI``."""

import logging
import os

from ckan.cli import load_config
from ckan.config.middleware import make_app

config = load_config(os.environ["CKAN_INI"])
# CKAN applies the ini's logging sections with logging.config.fileConfig, which disables every
# logger created before, gunicorn's among them: without this, --access-logfile stays empty.
for name in ("gunicorn.access", "gunicorn.error"):
    logging.getLogger(name).disabled = False
application = make_app(config)
