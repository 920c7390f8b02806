"""Template helpers for the DCAT-AP.de fields (choices and labels of the controlled vocabularies)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.chemnitz.dcat import vocabularies


def chemnitz_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, object]]:
    """ckanext-scheming ``choices_helper``: the concepts of the field's ``vocabulary``."""
    return vocabularies.choices(field["vocabulary"])


def chemnitz_vocabulary_label(name: str, uri: str) -> str:
    """Label of a concept in the current UI language."""
    return vocabularies.label(name, uri, tk.h.lang() or "de")


def helpers() -> dict[str, Any]:
    return {
        "chemnitz_vocabulary_choices": chemnitz_vocabulary_choices,
        "chemnitz_vocabulary_label": chemnitz_vocabulary_label,
    }
