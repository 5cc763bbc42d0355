from __future__ import annotations

from workmate.library.templating import substitute, used_variables

VALUES = {
    "date": "2026-12-05",
    "author": "윤하은",
    "customer": "{{author}} & Co",
    "space": "NBD",
    "title": "PoC",
    "time": "14:30",
}


def test_known_variables_are_replaced_with_or_without_spaces_and_case():
    text = "# {{title}} — {{ date }}\nBy {{AUTHOR}} for {{customer}} in {{space}}"
    assert substitute(text, VALUES) == ("# PoC — 2026-12-05\nBy 윤하은 for {{author}} & Co in NBD")


def test_values_are_not_read_again():
    # The customer's name holds `{{author}}`: it stays as typed, not the author's name.
    assert substitute("{{customer}}", VALUES) == "{{author}} & Co"


def test_template_engine_syntax_is_left_as_written():
    text = (
        "{% load static %}{% debug %}{{ settings.SECRET_KEY }}{{ date|upper }}"
        "{{ request.user }}{{unknown}}{# note #}"
    )
    assert substitute(text, VALUES) == text


def test_a_missing_value_is_empty():
    assert substitute("for {{customer}}.", {}) == "for ."


def test_used_variables_lists_known_names_once():
    assert used_variables("{{date}} {{Date}} {{nope}} {{author}}") == ["date", "author"]
