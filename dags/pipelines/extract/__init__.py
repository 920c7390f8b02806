"""Extractors: one per kind of department source, each returning a ``geopandas.GeoDataFrame``
(or a plain ``pandas.DataFrame`` for tables without coordinates) in the source's own CRS."""
