"""What every suite needs to reach the portal and read its answers, in one place.

``portal``: the throw-away test portal's settings and a ckanapi client; ``rdf``: DCAT answers as graphs;
``pages``: rendered pages as lxml trees and their text; ``search``: dataset search inside CKAN's test app.
``portal`` and ``pages`` import in both environments (``.venv/ckan``, ``.venv/airflow``); ``rdf`` needs rdflib
and ``search`` CKAN (``.venv/ckan`` only).
"""
