from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The modules of the product, in navigation order. A module whose URL does not exist
# yet is shown as "coming" rather than as a dead link.
MODULES = [
    ("work", _("Work"), "work:home"),
    ("desk", _("Desk"), "desk:home"),
    ("voice", _("Voice"), "voice:home"),
    ("library", _("Library"), "library:home"),
    ("levels", _("Levels"), "levels:home"),
    ("advisor", _("Advisor"), "advisor:home"),
]


def shell(request: HttpRequest) -> dict:
    current = request.resolver_match.namespace if request.resolver_match else ""
    nav = []
    for key, label, url_name in MODULES:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = ""
        nav.append({"key": key, "label": label, "url": url, "active": key == current})
    return {"nav_modules": nav}
