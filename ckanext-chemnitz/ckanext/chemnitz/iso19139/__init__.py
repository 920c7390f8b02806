"""ISO 19139 metadata of the portal's geodatasets, for the geodata infrastructure (GDI-DE, Geoportal Sachsen)."""
