"""The legal and help pages a public portal needs, with German default texts admins can replace.

Each page's text can be replaced in Markdown on ``/ckan-admin/config`` (runtime configuration
``ckanext.chemnitz.page.<key>``); while it is empty, the page shows the shipped default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.chemnitz.limits import feedback as feedback_limit
from ckanext.chemnitz.theme import feedback
from ckanext.chemnitz.translation import N_

pages = Blueprint("chemnitz_pages", __name__)


@dataclass(frozen=True)
class Page:
    key: str
    path: str
    title: str  # message id, translated when shown

    @property
    def option(self) -> str:
        return f"ckanext.chemnitz.page.{self.key}"


# The statement has a view of its own: it takes the accessibility feedback.
ACCESSIBILITY = Page("accessibility", "/barrierefreiheit", N_("Accessibility statement"))
PAGES = (
    Page("about", "/ueber-das-portal", N_("About the portal")),
    Page("imprint", "/impressum", N_("Imprint")),
    Page("privacy", "/datenschutz", N_("Privacy")),
    ACCESSIBILITY,
    Page("easy_language", "/leichte-sprache", N_("Easy language")),
    Page("licences", "/lizenzen", N_("Licences")),
)


def _render(page: Page, **extra: Any) -> str:
    return tk.render(
        f"chemnitz/pages/{page.key}.html",
        {"page": page, "custom_text": tk.config.get(page.option) or "", **extra},
    )


def _view(page: Page) -> Callable[[], str]:
    """The view of one page (a named function: CKAN's request hooks read views' names)."""

    def show() -> str:
        return _render(page)

    show.__name__ = f"show_{page.key}"
    return show


def accessibility() -> Any:
    """The statement with its feedback form; a sent form is stored and answered by a redirect."""
    page = ACCESSIBILITY
    if tk.request.method == "POST":
        form = {key: tk.request.form.get(key, "") for key in ("page", "message", "contact")}
        if refused := feedback_limit.admit():
            return refused.page(_render(page, form=form, errors={}, refused=refused.message))
        try:
            tk.get_action("chemnitz_accessibility_feedback_create")({"user": tk.current_user.name}, form)
        except tk.ValidationError as error:
            return _render(page, form=form, errors=error.error_dict), 400
        return tk.redirect_to("chemnitz_pages.accessibility", gesendet=1, _anchor="rueckmeldung")
    return _render(page, form={"page": tk.request.args.get("seite", "")}, errors={},
                   sent=tk.request.args.get("gesendet") == "1")  # fmt: skip


def feedback_records() -> str:
    try:
        records = tk.get_action("chemnitz_accessibility_feedback_list")({"user": tk.current_user.name}, {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only administrators can read the feedback."))
    return tk.render("chemnitz/pages/feedback_records.html", {"records": records})


for _page in PAGES:
    if _page is not ACCESSIBILITY:
        pages.add_url_rule(_page.path, endpoint=_page.key, view_func=_view(_page))
pages.add_url_rule(ACCESSIBILITY.path, view_func=accessibility, methods=["GET", "POST"])
pages.add_url_rule(f"{ACCESSIBILITY.path}/rueckmeldungen", view_func=feedback_records)


def update_config_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``IConfigurer``: the page texts are runtime configuration, edited on /ckan-admin/config."""
    ignore_missing, unicode_safe = tk.get_validator("ignore_missing"), tk.get_validator("unicode_safe")
    schema.update({page.option: [ignore_missing, unicode_safe] for page in PAGES})
    return schema


def helpers() -> dict[str, Any]:
    return {"chemnitz_pages": lambda: PAGES, "chemnitz_feedback_limits": lambda: feedback}
