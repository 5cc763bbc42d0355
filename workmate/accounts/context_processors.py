from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

# The modules of the product, in navigation order. A module whose URL does not exist
# yet is left out of the nav: it shows only what works.
MODULES = [
    ("work", _("Work"), "work:home"),
    ("desk", _("Desk"), "desk:home"),
    ("voice", _("Voice"), "voice:home"),
    ("library", _("Library"), "library:home"),
    ("pipeline", _("Pipeline"), "pipeline:home"),
    ("levels", _("Levels"), "levels:home"),
    ("reviews", _("Reviews"), "reviews:home"),
    ("advisor", _("Advisor"), "advisor:home"),
    ("automation", _("Automation"), "automation:home"),
    ("webhooks", _("Webhooks"), "webhooks:home"),
    ("success", _("Customers"), "success:home"),
]


# (URL name, script prefix, URLconf) -> the module's URL, or "" while it does not exist.
# A failed reverse() costs ~1 ms (it tries every pattern and builds its error message),
# and the answer cannot change while the process runs, so it is worked out once.
_module_urls: dict[tuple[str, str, str], str] = {}


def _url(url_name: str) -> str:
    key = (url_name, get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF))
    url = _module_urls.get(key)
    if url is None:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = ""
        _module_urls[key] = url
    return url


def shell(request: HttpRequest) -> dict:
    current = request.resolver_match.namespace if request.resolver_match else ""
    nav = [
        {"key": key, "label": label, "url": url, "active": key == current}
        for key, label, url_name in MODULES
        if (url := _url(url_name))
    ]
    return {"nav_modules": nav}
