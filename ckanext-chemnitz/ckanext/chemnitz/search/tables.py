"""Names in the search index's schema ``chemnitz_search``, which the extension's migrations create
(``ckan db upgrade``; ``migration/chemnitz/versions``)."""

from __future__ import annotations

TEXT_CONFIG = "chemnitz_search.german"
TABLE = "chemnitz_search.package_index"
TEXT_TABLE = "chemnitz_search.package_text"
TERM_TABLE = "chemnitz_search.package_term"
DOCUMENT_TABLE = "chemnitz_search.package_document"
GENERATION_TABLE = "chemnitz_search.generation"
