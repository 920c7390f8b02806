"""Transformations between extraction and publication: types, geometries, files, metadata."""
