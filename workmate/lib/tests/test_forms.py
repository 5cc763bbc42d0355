"""The form renderer writes <select> exactly as Django's templates do."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.boundfield import BoundWidget
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

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


class Inputs(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"placeholder": 'Say "hi" & <go>'}))
    optional = forms.CharField(required=False, max_length=20)
    email = forms.EmailField(required=False)
    number = forms.IntegerField(required=False, min_value=0)
    amount = forms.DecimalField(required=False, decimal_places=2)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    tick = forms.BooleanField(required=False)
    colour = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "color"}))
    upload = forms.FileField(required=False, widget=forms.FileInput)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    kinds = forms.MultipleChoiceField(
        required=False,
        choices=[("a", "A & B"), ("b", "<b>"), ("c", mark_safe("<i>C</i>"))],
        widget=forms.CheckboxSelectMultiple,
    )
    one = forms.ChoiceField(
        required=False, choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect
    )
    flagged = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"autofocus": True, "disabled": False})
    )


INPUT_DATA = {
    "text": "Fish & <chips> \"quoted\" 'single'",
    "email": "not an address",
    "number": "-3",
    "amount": "12.5",
    "day": "2026-11-25",
    "moment": "2026-11-25 09:30",
    "hidden": "h&i",
    "secret": "p<w>",
    "tick": "on",
    "colour": "#1f5eff",
    "notes": "Line one\nLine <two> & three",
    "kinds": ["a", "c"],
    "one": "y",
    "flagged": "",
}


@pytest.mark.parametrize("data", [None, {}, INPUT_DATA])
def test_inputs_and_text_areas_come_out_as_the_templates_write_them(data):
    initial = {"number": 7, "amount": 3, "day": "2026-01-02", "notes": "Start", "tick": True}
    for field in Inputs(data, initial=initial):
        assert render(field, FormRenderer()) == render(field, DjangoTemplates()), field.name
        # A choice on its own, as `{% field %}` writes checkboxes: no label around it.
        for mine, theirs in zip(
            _choices(field, FormRenderer()), _choices(field, DjangoTemplates()), strict=True
        ):
            assert mine.tag() == theirs.tag(), field.name
            # And wrapped in its label, as `{{ choice }}` writes it.
            assert str(mine) == str(theirs), field.name


def _choices(field: forms.BoundField, renderer: DjangoTemplates) -> list[BoundWidget]:
    if field.widget_type not in ("checkboxselectmultiple", "radioselect"):
        return []
    widget = field.field.widget
    attrs = {"id": field.auto_id}
    return [
        BoundWidget(widget, choice, renderer)
        for choice in widget.subwidgets(field.html_name, field.value(), attrs)
    ]


def test_every_input_kind_is_written_in_python():
    for field in Inputs():
        widget = field.field.widget
        context = widget.get_context(field.html_name, field.value(), {})["widget"]
        if isinstance(widget, forms.Textarea):
            assert workmate_forms.textarea_html(context) is not None
        elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            assert widget.option_template_name in workmate_forms.OPTIONS, field.name
        else:
            assert widget.template_name in workmate_forms.INPUTS, field.name
            assert workmate_forms.input_html(context) is not None, field.name


def test_values_that_are_not_text_are_left_to_the_templates():
    # Django's widgets format values as text first; anything else would be localised.
    assert workmate_forms.textarea_html({"name": "notes", "value": 12, "attrs": {}}) is None
    assert workmate_forms.input_html({"type": 3, "name": "n", "value": None, "attrs": {}}) is None


class Everything(forms.Form):
    title = forms.CharField(label='Title & "name"', help_text="Say <what> it is.", max_length=5)
    optional = forms.CharField(required=False)
    kinds = forms.MultipleChoiceField(
        choices=[("a", "A & B"), ("b", "<b>")], widget=forms.CheckboxSelectMultiple
    )
    one = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect)
    pick = forms.ChoiceField(choices=[("", "—"), ("1", "One")], required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea, help_text="Markdown works.")
    agree = forms.BooleanField(required=False, label="I agree")
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_initial = forms.CharField(required=False, show_hidden_initial=True)

    def clean(self):
        self.add_error("optional", "First & <second>")
        self.add_error("optional", "Another one.")
        return super().clean()


@pytest.mark.parametrize("data", [None, {"title": "Far too long", "kinds": ["a"], "one": "y"}])
@pytest.mark.parametrize("prefix", [None, "p"])
def test_the_field_tag_writes_what_the_field_template_wrote(data, prefix):
    include = Template('{% include "includes/field.html" %}')
    tag = Template("{% field field %}")
    for field in Everything(data, prefix=prefix):
        context = Context({"field": field})
        assert tag.render(context) == include.render(context), field.name


class Plain(forms.Form):
    """`Sample`'s selects, written by `PlainSelect` instead."""

    plain = forms.ChoiceField(
        choices=[("a", "Apple"), ("b", 'Bread & "butter" <b>'), ("b", "Again")],
        widget=workmate_forms.PlainSelect(attrs={"class": "pick", "hidden": False}),
    )
    grouped = forms.ChoiceField(
        choices=[("", "---"), ("Fruit", [("1", "One"), ("2", "Two")]), ("3", "Three")],
        widget=workmate_forms.PlainSelect,
    )
    lazy = forms.TypedChoiceField(
        choices=[("", gettext_lazy("Anyone")), (7, "Seven"), (None, "Nothing")],
        coerce=int,
        required=False,
        help_text="Helps",
        widget=workmate_forms.PlainSelect,
    )
    numbers = forms.ChoiceField(choices=[(1, 1), (2, 2)], widget=workmate_forms.PlainSelect)


@pytest.mark.parametrize(
    "data", [None, {"plain": "b", "grouped": "2", "lazy": "7"}, {"plain": "x", "lazy": ""}]
)
def test_a_plain_select_writes_what_django_select_does(data):
    for field in Plain(data):
        django_select = forms.Select(attrs=field.field.widget.attrs)
        django_select.choices = field.field.widget.choices
        attrs = field.build_widget_attrs({"id": field.auto_id})
        expected = django_select.render(field.html_name, field.value(), attrs, DjangoTemplates())
        assert field.field.widget.render(field.html_name, field.value(), attrs) == expected
        assert str(field) == field.as_widget(widget=django_select), field.name


def test_a_plain_select_writes_its_options_itself():
    widget = Plain()["plain"].field.widget
    grouped = Plain()["grouped"].field.widget

    assert widget._plain_html("plain", "b", {}).count(" selected") == 1
    assert grouped._plain_html("grouped", "", {}) is None


@pytest.mark.parametrize(
    "choices",
    [
        [("", "—"), (1, "Ann <b>"), ("2", "Bo")],
        [("", gettext_lazy("Nobody")), (3, "Cy")],
        [("Group", [(1, "One"), (2, "Two")]), (3, "Three")],
        [],
    ],
)
def test_plain_choices_are_what_django_would_set(choices):
    given = forms.ChoiceField(widget=workmate_forms.PlainSelect)
    django = forms.ChoiceField(widget=workmate_forms.PlainSelect)

    workmate_forms.set_plain_choices(given, list(choices))
    django.choices = list(choices)

    assert given.choices == django.choices and given.widget.choices == django.widget.choices
    assert given.widget.render("x", "1") == django.widget.render("x", "1")
    assert given.valid_value("1") == django.valid_value("1")
