"""Accessible previews of resources: DataStore tables as sortable tables, GeoJSON on a map."""
