"""The accessibility feedback form limited per client address, on its page and through the API.

The form takes anyone's message, so without a limit one script fills the admins' list (15 posts
in 0.1 s were stored before). ``posts`` messages per address in ``window_minutes`` are accepted;
every further post in that window is refused with HTTP 429 and nothing is stored.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.chemnitz.limits import client, store
from ckanext.chemnitz.limits.refusal import Refusal, minutes

WHAT = "feedback messages"


def admit() -> Refusal | None:
    """Count this post from the client's address; a refusal if the address has sent too many."""
    window = tk.config.get("ckanext.chemnitz.limits.feedback.window_minutes") * 60
    posts, seconds = store.add(store.key("feedback", client.address()), window, WHAT)
    if posts <= tk.config.get("ckanext.chemnitz.limits.feedback.posts"):
        return None
    wait = minutes(seconds)
    message = tk.ungettext(
        "You have sent too many messages in a short time. Please try again in {minutes} minute.",
        "You have sent too many messages in a short time. Please try again in {minutes} minutes.",
        wait,
    ).format(minutes=wait)
    return Refusal(message, seconds)
