"""The form renderer writes <select> exactly as Django's templates do."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from workmate.lib import forms as workmate_forms
from workmate.lib.forms import FormRenderer


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "Apple"), ("b", 'Bread & "butter" <b>')])
    grouped = forms.ChoiceField(
        choices=[("", "---"), ("Fruit", [("1", "One"), ("2", "Two")]), ("3", "Three")],
        widget=forms.Select(attrs={"class": "pick", "disabled": True, "hidden": False}),
    )
    many = forms.MultipleChoiceField(choices=[(1, "First"), (2, mark_safe("<i>Second</i>"))])
    maybe = forms.NullBooleanField()
    # Labels that are not text are left to the templates (they would be localised).
    numbers = forms.ChoiceField(choices=[(1, 1), (2, 2)])


def render(field: forms.BoundField, renderer: DjangoTemplates) -> str:
    attrs = field.build_widget_attrs({})
    return field.field.widget.render(field.html_name, field.value(), attrs, renderer)


@pytest.mark.parametrize("data", [None, {"plain": "b", "grouped": "2", "many": ["1", "2"]}])
def test_selects_come_out_as_the_templates_write_them(data):
    for field in Sample(data):
        assert render(field, FormRenderer()) == render(field, DjangoTemplates()), field.name


def test_only_text_labels_are_written_in_python():
    form = Sample()
    plain = form["plain"].field.widget.get_context("plain", "a", {})["widget"]
    numbers = form["numbers"].field.widget.get_context("numbers", 1, {})["widget"]

    assert workmate_forms.select_html(plain).startswith('<select name="plain">')
    assert workmate_forms.select_html(numbers) is None


def test_the_project_renderer_is_in_use():
    assert isinstance(Sample().renderer, FormRenderer)
