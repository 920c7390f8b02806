"""Finding data by place: dataset extents, the Stadtteil facet, ``ext_bbox`` search and ``/karte``."""
