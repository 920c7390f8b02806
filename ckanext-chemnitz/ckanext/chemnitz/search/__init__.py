"""PostgreSQL full-text search backend for CKAN's ``package_search`` (replaces Solr by default)."""
