"""ckanext-chemnitz: the CKAN extension of the Chemnitz open data portal."""
