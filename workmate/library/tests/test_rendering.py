"""A page's HTML (sanitised, headings with anchors), its outline and revision diffs."""

from __future__ import annotations

from html.parser import HTMLParser

from workmate.library import rendering
from workmate.library.rendering import diff_texts, outline_of, render_page


def test_outline_lists_headings_with_anchors_matching_the_html():
    text = "# 개요\n\nintro\n\n## Steps `kubectl`\n\n## 개요\n\n```\n# not a heading\n```\n"
    page = render_page(text)
    assert [(h.level, h.text, h.anchor) for h in page.outline] == [
        (1, "개요", "h-개요"),
        (2, "Steps kubectl", "h-steps-kubectl"),
        (2, "개요", "h-개요-2"),
    ]
    assert '<h1 id="h-개요">' in page.html
    assert '<h2 id="h-steps-kubectl">' in page.html
    assert '<h2 id="h-개요-2">' in page.html
    assert "# not a heading" in page.html


def test_scripts_event_handlers_and_javascript_links_do_not_survive():
    text = (
        '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n'
        "[click](javascript:alert(3))\n\n# <h2 onclick=x>hi</h2>"
    )
    html = str(render_page(text).html)
    tags = Tags()
    tags.feed(html)
    assert {tag for tag, _attrs in tags.seen} == {"p", "h1"}
    assert tags.seen[-1] == ("h1", [("id", "h-hi")])
    assert all(not attrs for tag, attrs in tags.seen if tag == "p")
    assert "javascript" not in "".join(str(attrs) for _tag, attrs in tags.seen)
    assert outline_of(text)[0].anchor == "h-hi"


class Tags(HTMLParser):
    """The elements (and their attributes) a piece of HTML really holds."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, attrs))


def test_diff_pairs_changed_lines_and_counts():
    diff = diff_texts("a\nb\nc\n", "a\nB\nc\nd\n")
    kinds = [(row.kind, row.old_number, row.new_number) for row in diff.rows]
    assert kinds == [("equal", 1, 1), ("change", 2, 2), ("equal", 3, 3), ("insert", None, 4)]
    assert (diff.added, diff.removed) == (2, 1)
    inline = [(row.kind, row.old or row.new) for row in diff.inline()]
    assert inline == [
        ("equal", "a"),
        ("delete", "b"),
        ("insert", "B"),
        ("equal", "c"),
        ("insert", "d"),
    ]


def test_long_unchanged_runs_are_cut_to_their_context():
    old = "\n".join(f"line {n}" for n in range(100))
    new = old.replace("line 50", "line fifty")
    diff = diff_texts(old, new, context=3)
    kinds = [row.kind for row in diff.rows]
    assert kinds == ["skip"] + ["equal"] * 3 + ["change"] + ["equal"] * 3 + ["skip"]
    assert diff.rows[0].skipped == 47 and diff.rows[-1].skipped == 46


def test_identical_texts_are_unchanged():
    assert diff_texts("x\ny", "x\ny").unchanged


def test_a_2000_line_diff_leaves_difflib_only_the_changed_lines(monkeypatch):
    """The work of a large diff is bounded by what changed, not by the text's length.

    difflib's SequenceMatcher rescans the rest of the text after each match (~200 ms here, more
    on a loaded machine); anchored on unique lines, it is handed only the changed lines. The
    test counts the lines it is handed rather than timing it."""
    handed: list[int] = []
    real = rendering.difflib.SequenceMatcher

    def counting(isjunk, a, b, *args, **kwargs):
        handed.append(len(a) + len(b))
        return real(isjunk, a, b, *args, **kwargs)

    monkeypatch.setattr(rendering.difflib, "SequenceMatcher", counting)
    old = "\n".join(f"- 단계 {n}: kubectl rollout status deploy/app-{n}" for n in range(2000))
    new = "\n".join(
        line + (" (확인)" if n % 10 == 0 else "") for n, line in enumerate(old.splitlines())
    )
    diff = diff_texts(old, new)
    assert diff.added == 200 and diff.removed == 200
    assert sum(handed) <= 2 * 200
