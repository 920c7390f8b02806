"""Shared pytest configuration: CKAN's pytest plugin provides the fixtures (``--ckan-ini``)."""
