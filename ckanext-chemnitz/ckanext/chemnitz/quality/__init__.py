"""Metadata quality of datasets, modelled on data.europa.eu's Metadata Quality Assessment (MQA)."""
