"""Login attempts limited per account and per client address (online password guessing).

After ``account_attempts`` failed logins to one account, or ``address_attempts`` from one
address, within ``window_minutes``, the login form refuses every further attempt to it (the right
password too) for ``window_minutes`` from the failure that reached the limit, before CKAN checks
any password. A successful login resets its account's count, not the address's: logging into
one's own account between guesses must not renew the guessing budget. Failures are counted from
CKAN's ``failed_login`` signal, which every password check sends (the login form, the old password
on the profile form), whichever name or e-mail address was given.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import signals
from flask import Response, has_request_context, request

from ckanext.chemnitz.limits import client, store
from ckanext.chemnitz.limits.refusal import Refusal, minutes

WHAT = "login attempts"


def _window() -> int:
    return tk.config.get("ckanext.chemnitz.limits.login.window_minutes") * 60


def _account_key(account: str) -> str:
    return store.key("login", "account", account)


def _account(login: str) -> str:
    """The account a login names, by user name or e-mail address as CKAN looks it up; else the name given."""
    login = login.strip()
    user = (model.User.by_name(login) or model.User.by_email(login)) if login else None
    return user.id if user else login.lower()


def _counters(login: str) -> list[tuple[str, int]]:
    """The windows an attempt counts in, each with its most failures."""
    address = client.address() if has_request_context() else "unknown"
    return [
        (_account_key(_account(login)), tk.config.get("ckanext.chemnitz.limits.login.account_attempts")),
        (store.key("login", "address", address), tk.config.get("ckanext.chemnitz.limits.login.address_attempts")),
    ]


def refusal(login: str) -> Refusal | None:
    """Why an attempt to log in as ``login`` from this request's address is refused, if it is."""
    waits = [ttl for name, most in _counters(login) for failures, ttl in [store.count(name, WHAT)] if failures >= most]
    if not waits:
        return None
    seconds = max(waits)
    wait = minutes(seconds)
    message = tk.ungettext(
        "Too many failed login attempts. Please try again in {minutes} minute.",
        "Too many failed login attempts. Please try again in {minutes} minutes.",
        wait,
    ).format(minutes=wait)
    return Refusal(message, seconds)


def refuse_locked() -> Response | None:
    """``before_request``: the login form answered with the lockout message instead of a password check."""
    if request.endpoint != "user.login" or request.method != "POST":
        return None
    refused = refusal(request.form.get("login", ""))
    if refused is None:
        return None
    tk.h.flash_error(refused.message)
    return refused.page(tk.render("user/login.html", {}))


def count_failure(login: str, **_: Any) -> None:
    """``failed_login`` signal: one more failure for the account and the address."""
    window = _window()
    for name, most in _counters(login or ""):
        failures, _ttl = store.add(name, window, WHAT)
        if failures >= most:
            store.prolong(name, window, WHAT)  # the lockout lasts a full window from this failure


def reset_account(_app: Any, user: Any = None, **_: Any) -> None:
    """``user_logged_in`` signal: the account's count starts again."""
    if user is not None and getattr(user, "id", None):
        store.forget(_account_key(user.id), WHAT)


def listen() -> None:
    signals.failed_login.connect(count_failure)
    signals.user_logged_in.connect(reset_account)
