"""Bulk loading of DataStore tables for the harvest pipelines."""
