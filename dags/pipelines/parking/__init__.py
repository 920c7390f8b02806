"""Live parking occupancy: feed parsing and publishing for the occupancy DAG."""
