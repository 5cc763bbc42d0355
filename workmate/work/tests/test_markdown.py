"""Markdown in task descriptions and comments is rendered, and cannot carry scripts."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from workmate.lib.markdown import render_markdown
from workmate.testing.factories import make_project
from workmate.work import services

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="javascript:alert(1)" onclick="alert(1)">x</a>',
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
]


def test_renders_common_markdown():
    html = render_markdown("# Plan\n\n**Bold** and *soft*\n\n- one\n- two\n\n`code` ~~old~~")

    assert "<h1>Plan</h1>" in html
    assert "<strong>Bold</strong> and <em>soft</em>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<code>code</code> <s>old</s>" in html


def test_keeps_line_breaks_and_escapes_code_blocks():
    html = render_markdown("first\nsecond\n\n```\nif a < b:\n```")

    assert "<p>first<br>\nsecond</p>" in html
    assert "<pre><code>if a &lt; b:\n</code></pre>" in html


def test_links_open_safely():
    html = render_markdown("[docs](https://example.com/a?b=1)")

    assert html == (
        '<p><a href="https://example.com/a?b=1" rel="noopener noreferrer nofollow">docs</a></p>\n'
    )


def test_tables_keep_their_alignment_only():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")

    assert '<th style="text-align:left">a</th>' in html
    assert '<td style="text-align:right">2</td>' in html


class _Elements(HTMLParser):
    """Every real element and attribute in a piece of HTML (escaped text is not one)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_scripts_and_dangerous_links_are_neutralised(payload):
    found = elements(render_markdown(payload))

    tags = {tag for tag, _attrs in found}
    assert not tags & {"script", "iframe", "div", "style"}
    for _tag, attrs in found:
        assert not any(name.startswith("on") or name == "style" for name in attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:"))


def test_raw_html_is_shown_as_text():
    assert render_markdown("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_nothing_renders_empty():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


@pytest.fixture
def project(team, alice):
    return make_project(name="Migration", team=team, owner=alice)


def test_task_page_renders_description_and_comments_safely(client, project, alice, bob):
    task = services.do_create_task(
        alice,
        project,
        title="Move",
        description="**Steps**\n\n<script>alert('d')</script>\n\n[x](javascript:alert(1))",
    )
    services.do_add_comment(
        bob, task, "See [runbook](https://example.com/rb) <img src=x onerror=alert(2)>"
    )
    client.force_login(bob)

    page = client.get(reverse("work:task", args=[task.pk])).content.decode()

    description = page.split('class="task-description">')[1].split("</div>")[0]
    assert "<p><strong>Steps</strong></p>" in description
    assert "<p>&lt;script&gt;alert('d')&lt;/script&gt;</p>" in description
    # The javascript: link stays plain text.
    assert "<p>[x](javascript:alert(1))</p>" in description
    comments = page.split('id="comments"')[1]
    assert (
        '<a href="https://example.com/rb" rel="noopener noreferrer nofollow">runbook</a>'
        in comments
    )
    assert "&lt;img src=x onerror=alert(2)&gt;" in comments
    assert "<script>alert" not in page and "<img src=x" not in page


def test_edit_form_shows_the_raw_markdown(client, project, alice):
    task = services.do_create_task(alice, project, title="Move", description="**Steps** <b>x</b>")
    client.force_login(alice)

    page = client.get(reverse("work:edit_task", args=[task.pk])).content.decode()

    assert ">\n**Steps** &lt;b&gt;x&lt;/b&gt;</textarea>" in page
