"""The top bar of every signed-in page (`{% topbar %}` in base.html), written in Python.

Every page pays for the top bar. As template code (the nav's loop, ten `{% url %}` tags,
eight `{% translate %}` tags, the search box and the language buttons as includes) it cost
~0.55 ms of CPU a request; written here it costs ~0.05 ms (bench/README.md, "The page
shell"). The bytes are the template's: workmate/accounts/tests/test_nav.py renders the
old template beside this for people with and without each entry, in Korean and English.

What can change between requests is read on every request: who is signed in, whether
they are staff, the page (which entry is current), the query, the CSRF token. What
cannot change while the process runs — the URLs and the translated labels — is worked
out once per language, script prefix and URLconf (`_frame`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context
from django.template.defaulttags import CsrfTokenNode
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

# The modules of the product, in navigation order. A module whose URL does not exist
# yet is left out of the nav: it shows only what works.
MODULES = [
    ("work", gettext_lazy("Work"), "work:home"),
    ("desk", gettext_lazy("Desk"), "desk:home"),
    ("voice", gettext_lazy("Voice"), "voice:home"),
    ("library", gettext_lazy("Library"), "library:home"),
    ("pipeline", gettext_lazy("Pipeline"), "pipeline:home"),
    ("levels", gettext_lazy("Levels"), "levels:home"),
    ("reviews", gettext_lazy("Reviews"), "reviews:home"),
    ("advisor", gettext_lazy("Advisor"), "advisor:home"),
    ("automation", gettext_lazy("Automation"), "automation:home"),
    ("webhooks", gettext_lazy("Webhooks"), "webhooks:home"),
    ("success", gettext_lazy("Customers"), "success:home"),
]

_CSRF = CsrfTokenNode()


def _url(url_name: str) -> str:
    """The URL's path, or "" while it does not exist (a failed reverse() costs ~1 ms)."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return ""


def _e(value: Any) -> str:
    return str(conditional_escape(value))


@dataclass(frozen=True)
class _Frame:
    """The top bar's parts that are the same for every request in one language."""

    # (module key, the module's <li> without and with aria-current), modules that exist.
    modules: tuple[tuple[str, str, str], ...]
    brand: str
    # Up to the People entry's href, its tail, the Inbox entry's href and its tail.
    nav_head: str
    people_href: str
    people_tail: str
    inbox_href: str
    inbox_tail: str
    search_tail: str
    lang_action: str
    me_href: str
    admin: str
    logout_head: str
    logout_tail: str


# (language, script prefix, URLconf) -> the frame. The language is None where
# translation is switched off (deactivate_all: the msgids, not the default language).
_frames: dict[tuple[str | None, str, str], _Frame] = {}


@receiver(setting_changed)
def _forget_frames(**kwargs: Any) -> None:
    """Tests change settings the frame reads (the static files' URL, the languages)."""
    _frames.clear()


def _frame() -> _Frame:
    key = (get_language(), get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF))
    frame = _frames.get(key)
    if frame is None:
        frame = _frames[key] = _build_frame()
    return frame


def _build_frame() -> _Frame:
    modules = []
    for key, label, url_name in MODULES:
        url = _url(url_name)
        if url:
            head, tail = f'\n        <li><a href="{_e(url)}"', f">{_e(label)}</a></li>\n      "
            modules.append((key, head + tail, f'{head} aria-current="page"{tail}'))
    # Looked up outside the f-strings: xgettext does not read inside them.
    search = _e(_("Search"))
    menu, main, people = _e(_("Menu")), _e(_("Main")), _e(_("People"))
    inbox, results = _e(_("Inbox")), _e(_("Search results"))
    admin, log_out = _e(_("Admin")), _e(_("Log out"))
    return _Frame(
        modules=tuple(modules),
        brand=(
            '<header class="topbar">\n'
            f'  <a class="brand" href="{_e(reverse("home"))}">Workmate</a>\n  '
        ),
        nav_head=(
            '\n  <button class="nav-toggle" type="button" aria-controls="site-nav"'
            ' aria-expanded="false" data-toggle-nav>'
            f"{menu}</button>\n"
            f'  <nav id="site-nav" class="site-nav" aria-label="{main}">\n'
            "    <ul>\n      "
        ),
        people_href=f'\n      <li><a href="{_e(reverse("directory"))}"',
        people_tail=f">{people}</a></li>\n",
        inbox_href=f'      <li><a class="inbox-link" href="{_e(reverse("inbox:home"))}"',
        inbox_tail=(
            f'>{inbox} <span id="inbox-count" hx-get="{_e(reverse("inbox:count"))}"'
            ' hx-trigger="load, every 60s"></span></a></li>\n'
            "    </ul>\n  </nav>\n  \n"
            '<form class="quick-search" role="search"'
            f' action="{_e(reverse("search:results"))}" method="get">\n'
            f'  <label for="quick-search-q" class="visually-hidden">{search}</label>\n'
            '  <input type="search" id="quick-search-q" name="q" value="'
        ),
        search_tail=(
            '" maxlength="500" autocomplete="off"\n'
            f'         placeholder="{search} ( / )" role="combobox" aria-autocomplete="list"'
            ' aria-expanded="false" aria-controls="quick-search-results"\n'
            f'         hx-get="{_e(reverse("search:quick"))}" hx-trigger="input changed'
            ' delay:300ms, search" hx-target="#quick-search-results" hx-sync="this:replace">\n'
            '  <div id="quick-search-results" class="quick-search-results" role="listbox"'
            f' aria-label="{results}"></div>\n'
            "</form>\n"
            f'<script src="{_e(static("js/search.js"))}" defer></script>\n\n  '
        ),
        lang_action=_e(reverse("set_language")),
        me_href=f'\n      <a class="me-link" href="{_e(reverse("profile"))}">',
        admin=f'<a href="{_e(reverse("admin:index"))}">{admin}</a>',
        logout_head=f'\n      <form action="{_e(reverse("logout"))}" method="post" class="inline">',
        logout_tail=(f'<button type="submit" class="link">{log_out}</button></form>\n    '),
    )


def language_buttons(context: Context, action: str) -> str:
    """includes/lang_switch.html's bytes, for `action` (already escaped)."""
    request = context.get("request")
    next_path = _e(request.get_full_path()) if request is not None else ""
    current = context.get("LANGUAGE_CODE")
    buttons = []
    for code, _name in settings.LANGUAGES:
        pressed = ' aria-pressed="true"' if code == current else ""
        name = "한국어" if code == "ko" else "English"
        code = _e(code)
        buttons.append(
            f'\n        <button type="submit" name="language" value="{code}" lang="{code}"'
            f'{pressed} data-lang="{code}">{name}</button>\n      '
        )
    return (
        f'\n<form class="lang-switch" action="{action}" method="post">\n'
        f"      {_CSRF.render(context)}\n"
        f'      <input type="hidden" name="next" value="{next_path}">\n'
        f"      \n      {''.join(buttons)}\n    </form>\n"
    )


def topbar(context: Context) -> SafeString:
    """The <header> of base.html for the person and page of `context`."""
    frame = _frame()
    request = context.get("request")
    user = context.get("user")
    signed_in = user is not None and user.is_authenticated
    parts = [frame.brand]
    if signed_in:
        match = getattr(request, "resolver_match", None)
        namespace = match.namespace if match else ""
        parts.append(frame.nav_head)
        for key, link, current_link in frame.modules:
            parts.append(current_link if key == namespace else link)
        parts.append(frame.people_href)
        if match is not None and match.url_name == "directory":
            parts.append(' aria-current="page"')
        parts.append(frame.people_tail)
        parts.append(frame.inbox_href)
        if namespace == "inbox":
            parts.append(' aria-current="page"')
        parts.append(frame.inbox_tail)
        # The search box keeps the query on the search page only: elsewhere `q` is that
        # page's own filter (a project's, a queue's), not a search.
        query = request.GET.get("q") if namespace == "search" else None
        parts.append(_e(query[:500]) if query else "")
        parts.append(frame.search_tail)
    parts.append('\n  <div class="topbar-end">\n    ')
    parts.append(language_buttons(context, frame.lang_action))
    parts.append("\n    ")
    if signed_in:
        parts.append(frame.me_href)
        parts.append(_e(user.get_short_name()))
        parts.append("</a>\n      ")
        if user.is_staff:
            parts.append(frame.admin)
        parts.append(frame.logout_head)
        parts.append(_CSRF.render(context))
        parts.append(frame.logout_tail)
    parts.append("\n  </div>\n</header>")
    return mark_safe("".join(parts))  # Every value above is escaped.
