"""Marking English message ids for extraction where they are translated later, when shown."""


def N_(message: str) -> str:
    """Marks an English message id for extraction; it is translated where it is shown."""
    return message
