"""Rendered pages as lxml trees, and their text as a reader sees it."""

from __future__ import annotations

from typing import Any

from lxml import html


def page(app: Any, url: str, status: int = 200, **params: Any) -> html.HtmlElement:
    """The page at ``url`` from CKAN's test app (``params``: its query), which must answer ``status``."""
    return html.fromstring(app.get(url, params=params, status=status).body)


def text(element: html.HtmlElement) -> str:
    """The element's text with runs of white space as one space, as a reader sees it."""
    return " ".join(element.text_content().split())
