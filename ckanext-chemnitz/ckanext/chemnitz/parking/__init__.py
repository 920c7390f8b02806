"""The parking search page ``/parken``: current occupancy from the DataStore, map, table, chart."""
