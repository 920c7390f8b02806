"""Local replicas of the city's department sources, serving the real fixture data (see README.md)."""
