"""PostgreSQL full-text search backend for CKAN's ``package_search`` (replaces Solr by default).

Other features use it through ``backend`` (which backend answers), ``fields`` (field names),
``entries`` (what the index holds) and ``contained_values``; its other modules are private to it
(``make lint`` checks both, pyproject.toml ``[tool.importlinter]``).
"""
