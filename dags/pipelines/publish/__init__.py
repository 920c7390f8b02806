"""Publication through the CKAN Action API (ckanapi), idempotently."""
