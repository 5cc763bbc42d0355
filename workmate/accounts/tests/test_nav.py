"""The top bar written in Python (`workmate/accounts/nav.py`) gives the old template's bytes.

OLD_BASE is base.html as it was before its <header> moved to Python, with the search box
(search/partials/_box.html, used only there) written in; the language buttons are still
the shared include the portal uses, so a change to it shows here too. Whole pages are
rendered both ways, in Korean and English, for someone signed out, two members (one with
markup in their name), a lead and staff, on pages that make each entry current, with a
query in the search box, and from the plain context of the 500 page; they must be equal
byte for byte.
"""

from __future__ import annotations

import pytest
from django.shortcuts import render
from django.template import engines
from django.test import RequestFactory
from django.urls import Resolver404, include, path, resolve
from django.utils import translation
from django.utils.html import escape

from workmate.accounts import nav
from workmate.accounts.models import User
from workmate.testing.factories import make_user

pytestmark = pytest.mark.django_db

OLD_BASE = """{% load static i18n %}<!doctype html>
{% get_current_language as LANGUAGE_CODE %}
<html lang="{{ LANGUAGE_CODE }}">
<head>
{% include "includes/head.html" %}
  <title>{% block title %}{% endblock %} · Workmate</title>
  <script src="{% static 'js/workmate.js' %}" defer></script>
  <script src="{% static 'js/mentions.js' %}" defer></script>
</head>
<body hx-headers='{"X-CSRFToken": "{{ csrf_token }}"}'>
<a class="skip-link" href="#main">{% translate "Skip to content" %}</a>
<header class="topbar">
  <a class="brand" href="{% url 'home' %}">Workmate</a>
  {% if user.is_authenticated %}
  <button class="nav-toggle" type="button" aria-controls="site-nav" aria-expanded="false" data-toggle-nav>{% translate "Menu" %}</button>
  <nav id="site-nav" class="site-nav" aria-label="{% translate 'Main' %}">
    <ul>
      {% for module in nav_modules %}
        <li><a href="{{ module.url }}"{% if module.active %} aria-current="page"{% endif %}>{{ module.label }}</a></li>
      {% endfor %}
      <li><a href="{% url 'directory' %}"{% if request.resolver_match.url_name == 'directory' %} aria-current="page"{% endif %}>{% translate "People" %}</a></li>
      <li><a class="inbox-link" href="{% url 'inbox:home' %}"{% if request.resolver_match.namespace == 'inbox' %} aria-current="page"{% endif %}>{% translate "Inbox" %} <span id="inbox-count" hx-get="{% url 'inbox:count' %}" hx-trigger="load, every 60s"></span></a></li>
    </ul>
  </nav>
  {% load i18n static %}{# The top bar's quick search: results as you type (htmx), arrows to pick, Enter to open, "/" to come here (static/js/search.js). #}
<form class="quick-search" role="search" action="{% url 'search:results' %}" method="get">
  <label for="quick-search-q" class="visually-hidden">{% translate "Search" %}</label>
  <input type="search" id="quick-search-q" name="q" value="{% if request.resolver_match.namespace == 'search' %}{{ request.GET.q|default:''|slice:':500' }}{% endif %}" maxlength="500" autocomplete="off"
         placeholder="{% translate 'Search' %} ( / )" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="quick-search-results"
         hx-get="{% url 'search:quick' %}" hx-trigger="input changed delay:300ms, search" hx-target="#quick-search-results" hx-sync="this:replace">
  <div id="quick-search-results" class="quick-search-results" role="listbox" aria-label="{% translate 'Search results' %}"></div>
</form>
<script src="{% static 'js/search.js' %}" defer></script>

  {% endif %}
  <div class="topbar-end">
    {% url 'set_language' as language_url %}{% include "includes/lang_switch.html" with action=language_url %}
    {% if user.is_authenticated %}
      <a class="me-link" href="{% url 'profile' %}">{{ user.get_short_name }}</a>
      {% if user.is_staff %}<a href="{% url 'admin:index' %}">{% translate "Admin" %}</a>{% endif %}
      <form action="{% url 'logout' %}" method="post" class="inline">{% csrf_token %}<button type="submit" class="link">{% translate "Log out" %}</button></form>
    {% endif %}
  </div>
</header>
<main id="main" class="{% block main_class %}page{% endblock %}">
  {% include "includes/messages.html" %}
  {% block content %}{% endblock %}
</main>
</body>
</html>
"""  # noqa: E501


def _shell_only(request):
    return render(request, "base.html")


# For `test_the_shell_reads_the_session_and_the_user_and_nothing_else`: a page that is the
# shell alone, beside every real URL (the top bar's links).
urlpatterns = [path("__shell__/", _shell_only), path("", include("workmate.urls"))]

PAGES = [
    "/",
    "/people/",
    "/inbox/",
    "/desk/mine/",
    "/work/",
    "/search/?q=%3Cb%3E%22x%22%20%26%20%ED%95%9C",
    "/desk/all/?status=open&q=" + "y" * 600,
    "/no/such/page/",
]


@pytest.fixture(autouse=True)
def _fresh_frames():
    nav._frames.clear()
    yield
    nav._frames.clear()


@pytest.fixture
def people(alice, bob, charlie):
    staff = make_user(email="ops@example.com", full_name="Ops <Admin> & Co", is_staff=True)
    marked = bob
    marked.full_name = "<b>Bob</b> O'Neil"
    marked.save(update_fields=["full_name"])
    return {"member": charlie, "marked": marked, "lead": alice, "staff": staff}


def _request(path: str, user: User | None):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    try:
        request.resolver_match = resolve(request.path)
    except Resolver404:  # A page that does not exist: no match, as Django leaves it.
        request.resolver_match = None
    return request


def _old_shell(request) -> dict:
    """What the old `shell` context processor gave the old template."""
    if request is None:
        return {}
    current = request.resolver_match.namespace if request.resolver_match else ""
    nav_modules = [
        {"key": key, "label": label, "url": url, "active": key == current}
        for key, label, url_name in nav.MODULES
        if (url := nav._url(url_name))
    ]
    return {"nav_modules": nav_modules}


def _both(context: dict, request=None) -> tuple[str, str]:
    if request is not None:
        # The request's CSRF token is masked anew each time it is asked for.
        context = {"csrf_token": "csrf-<token>", **context}
    engine = engines["django"]
    old = engine.from_string(OLD_BASE).render({**_old_shell(request), **context}, request)
    new = engine.get_template("base.html").render(context, request)
    return old, new


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("who", ["anonymous", "member", "marked", "lead", "staff"])
def test_the_top_bar_is_the_old_templates_bytes(people, language, who):
    user = people.get(who)
    for page in PAGES:
        request = _request(page, user)
        with translation.override(language):
            old, new = _both({}, request)
        assert new == old, page
    if user is not None:
        assert f'class="me-link" href="/me/">{escape(user.get_short_name())}</a>' in new
        assert ('href="/admin/"' in new) == user.is_staff
        assert (">구성원<" if language == "ko" else ">People<") in new
    else:
        assert "site-nav" not in new


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_current_entry_is_marked(people, language):
    with translation.override(language):
        _old, desk = _both({}, _request("/desk/mine/", people["marked"]))
        _old, directory = _both({}, _request("/people/", people["marked"]))
        _old, inbox = _both({}, _request("/inbox/", people["marked"]))
    assert desk.count('aria-current="page"') == 1
    assert 'href="/desk/" aria-current="page"' in desk
    assert 'href="/people/" aria-current="page"' in directory
    assert 'href="/inbox/" aria-current="page"' in inbox


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_500_pages_plain_context_gives_the_old_bytes(language):
    # workmate/errors.py renders the 500 page without a request or context processors.
    with translation.override(language):
        old, new = _both({"LANGUAGE_CODE": language})
    assert new == old
    assert "site-nav" not in new


def test_the_query_is_escaped_and_cut_at_500_characters(people):
    request = _request("/search/?q=" + "%3Cscript%3E" + "z" * 600, people["member"])
    _old, new = _both({}, request)
    assert 'value="&lt;script&gt;' + "z" * 492 + '"' in new
    assert "<script>z" not in new


def test_a_pages_own_q_filter_stays_out_of_the_search_box(people):
    _old, new = _both({}, _request("/inbox/?q=backup", people["member"]))
    assert 'name="q" value=""' in new
    assert 'value="backup"' not in new


def test_modules_without_a_url_yet_are_left_out(monkeypatch, people):
    monkeypatch.setattr(
        nav, "MODULES", [("people", "People", "directory"), ("nowhere", "Nowhere", "nowhere:home")]
    )
    _old, page = _both({}, _request("/", people["member"]))
    assert '<li><a href="/people/">People</a></li>' in page
    assert "Nowhere" not in page


def test_the_nav_is_worked_out_once_per_language(people):
    request = _request("/", people["member"])
    with translation.override("en"):
        _both({}, request)
    with translation.override("ko"):
        _both({}, request)
    assert {key[0] for key in nav._frames} == {"en", "ko"}
    (ko,) = [frame for key, frame in nav._frames.items() if key[0] == "ko"]
    assert '<li><a href="/desk/">데스크</a></li>' in [link.strip() for _k, link, _c in ko.modules]


@pytest.mark.urls(__name__)
def test_the_shell_reads_the_session_and_the_user_and_nothing_else(
    client, alice, django_assert_num_queries
):
    alice.language = "ko"
    alice.save(update_fields=["language"])
    client.force_login(alice)
    client.get("/__shell__/")

    # The session row, then the user with their work profile: nothing else, whatever the
    # nav shows (its URLs and labels are worked out once per process and language).
    with django_assert_num_queries(2):
        page = client.get("/__shell__/").content.decode()

    assert '<html lang="ko">' in page
    assert ">로그아웃</button>" in page
    assert 'class="me-link" href="/me/">Alice</a>' in page


def test_a_page_rendered_with_translation_off_does_not_change_the_korean_nav(people, settings):
    # Before: the frame was filed under LANGUAGE_CODE when no language was active.
    settings.LANGUAGE_CODE = "ko"
    request = _request("/", people["member"])
    with translation.override(None):
        old, untranslated = _both({}, request)
    assert untranslated == old
    assert ">Log out</button>" in untranslated
    with translation.override("ko"):
        _old, korean = _both({}, request)
    assert ">로그아웃</button>" in korean


def test_a_changed_setting_is_seen_by_the_next_page(people, settings):
    request = _request("/", people["member"])
    _both({}, request)
    settings.STATIC_URL = "/elsewhere/"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    old, new = _both({}, request)

    assert new == old
    assert '<script src="/elsewhere/js/search.js" defer></script>' in new
