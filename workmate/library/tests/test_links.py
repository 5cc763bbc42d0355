from __future__ import annotations

from workmate.library.links import Target, find_targets, normalise_title, render_wikilinks


def test_wikilinks_and_page_addresses_are_found_once_each_in_order():
    text = (
        "See [[Backup runbook]] and [[ 백업  절차 ]], then /library/pages/42/ and "
        "[again](/library/pages/42/history/) or [[Backup runbook]]."
    )
    assert find_targets(text) == [
        Target(label="Backup runbook"),
        Target(label="백업 절차"),
        Target(page_id=42),
    ]


def test_links_in_code_are_examples_not_links():
    text = (
        "Write `[[Title]]` to link.\n\n```\n[[Fenced]] /library/pages/7/\n```\n\n"
        "    [[Indented]]\n\nReal: [[Real one]]"
    )
    assert find_targets(text) == [Target(label="Real one")]


def test_an_address_on_another_host_is_not_our_page():
    text = "https://evil.example/library/pages/5/ and https://wm.example/library/pages/6/"
    assert find_targets(text, site_host="wm.example") == [Target(page_id=6)]
    assert find_targets(text) == []


def test_an_address_must_end_at_the_id():
    assert find_targets("/library/pages/12abc/") == []
    assert find_targets("(/library/pages/12)") == [Target(page_id=12)]


def test_titles_compare_without_case_or_extra_spaces():
    assert normalise_title("  Backup   RUNBOOK ") == normalise_title("backup runbook")


def test_render_links_what_resolves_and_leaves_the_rest_as_text():
    hrefs = {"Backup": "/library/pages/1/"}
    text = "[[Backup]], [[Secret plan]] and `[[Backup]]`"
    assert render_wikilinks(text, hrefs.get) == (
        "[Backup](</library/pages/1/>), Secret plan and `[[Backup]]`"
    )


def test_render_escapes_markup_in_the_label():
    rendered = render_wikilinks("[[x)(javascript:alert(1) <b>*y*]]", lambda label: "/p/1/")
    assert rendered == "[x\\)\\(javascript:alert\\(1\\) \\<b\\>\\*y\\*](</p/1/>)"
