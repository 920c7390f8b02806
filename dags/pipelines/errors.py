"""Errors of the pipelines, each saying which source failed and why."""


class SourceError(RuntimeError):
    """The department's source answered with something unusable; nothing gets published."""
