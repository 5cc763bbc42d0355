"""The form renderer: Django's own, with `<select>`, `<input>` and `<textarea>` in Python.

A `<select>` is rendered by Django as one template include per option, each with a
second include for its attributes: ~60 µs an option. A project page has five selects of
everyone who can see the project (quick add, filters, bulk actions), so its ~120 options
cost ~7 ms, more than its SQL. `FormRenderer` writes the same bytes as Django's
`select.html` / `select_option.html` / `attrs.html` directly, and leaves any select it
cannot copy exactly (another option template, labels that are not text) to the templates.
Inputs and text areas are two includes each (~40 µs); a page with a quick-add form, a
filter bar and a bulk bar has a dozen, so they are written here the same way.
"""

from __future__ import annotations

import html
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
SELECT_OPTION = "django/forms/widgets/select_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"
# A checkbox or radio among choices: input.html, wrapped in its label when asked.
OPTIONS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("checkbox_option", "input_option", "radio_option")
)
# Django's widget templates whose whole text is `{% include ".../input.html" %}`.
INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "checkbox", "color", "date", "datetime", "email", "file", "hidden", "input",
        "number", "password", "search", "tel", "text", "time", "url",
    )
)  # fmt: skip


class FormRenderer(DjangoTemplates):
    """Django's default renderer (settings.FORM_RENDERER), with a Python `<select>`."""

    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        html = None
        if template_name == SELECT:
            html = select_html(context["widget"])
        elif template_name in INPUTS:
            html = input_html(context["widget"])
        elif template_name == TEXTAREA:
            html = textarea_html(context["widget"])
        elif template_name in OPTIONS:
            html = option_html(context["widget"])
        if html is not None:
            return html
        return super().render(template_name, context, request=request)


def _text(value: object) -> str | None:
    """`{{ value }}` for text (escaped unless safe); None for anything else."""
    if type(value) is str:
        # What `conditional_escape` gives a plain str, without its checks (~150 options a
        # project page).
        return html.escape(value)
    if isinstance(value, str | Promise):
        return str(conditional_escape(value))
    return None


def _formatted(value: object) -> str:
    """`{{ value|stringformat:'s' }}`: "%s" of the value, escaped unless it was safe."""
    if type(value) is int:
        return str(value)
    if type(value) is str:
        return html.escape(value)
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else str(conditional_escape(text))


def _attrs(attrs: dict[str, Any]) -> str:
    """Django's `attrs.html`: ` name="value"`, a bare ` name` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is not False:
            parts.append(f" {conditional_escape(name)}")
            if value is not True:
                parts.append(f'="{_formatted(value)}"')
    return "".join(parts)


def select_html(widget: dict[str, Any]) -> str | None:
    """The rendered `select.html` for a widget context, or None to use the templates."""
    name = _text(widget["name"])
    if name is None:
        return None
    parts = [f'<select name="{name}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        group = _text(group_name) if group_name else ""
        if group is None:
            return None
        if group:
            parts.append(f'\n  <optgroup label="{group}">')
        for option in options:
            label = _text(option["label"])
            if label is None or option["template_name"] != SELECT_OPTION:
                return None
            # The option template ends with a newline, which the include keeps.
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"'
                f"{_attrs(option['attrs'])}>{label}</option>\n"
            )
        if group:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class PlainSelect(forms.Select):
    """A `<select>` written straight from its choices: the bytes `select_html` writes for
    Django's Select, without the dict Django builds for each option first (~10 µs each).
    A project page offers everyone who can see the project in three selects. Choices that
    are not plain (value, text) pairs (groups, labels that are not text) and subclasses
    with other templates go Django's way."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        html = self._plain_html(name, value, attrs)
        if html is None:
            return super().render(name, value, attrs, renderer)
        return mark_safe(html)

    def _plain_html(self, name: str, value: Any, attrs: dict[str, Any] | None) -> str | None:
        if (
            self.allow_multiple_selected
            or self.template_name != SELECT
            or self.option_template_name != SELECT_OPTION
            or self.option_inherits_attrs
        ):
            return None
        # The widget's own context without its options (`ChoiceWidget.get_context` adds them).
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        name_text = _text(widget["name"])
        if name_text is None:
            return None
        chosen = widget["value"]
        parts = [f'<select name="{name_text}"{_attrs(widget["attrs"])}>']
        # As `ChoiceWidget.optgroups`: only the first option with the value is selected.
        has_selected = False
        for option_value, option_label in self.choices:
            label = _text(option_label)
            if label is None:
                return None
            if option_value is None:
                option_value = ""
            selected = not has_selected and str(option_value) in chosen
            has_selected |= selected
            mark = " selected" if selected else ""
            parts.append(f'\n  <option value="{_formatted(option_value)}"{mark}>{label}</option>\n')
        parts.append("\n</select>")
        return "".join(parts)


def input_html(widget: dict[str, Any]) -> str | None:
    """The rendered `input.html` for a widget context, or None to use the templates."""
    kind, name = _text(widget["type"]), _text(widget["name"])
    if kind is None or name is None:
        return None
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return f'<input type="{kind}" name="{name}"{shown}{_attrs(widget["attrs"])}>'


def option_html(widget: dict[str, Any]) -> str | None:
    """The rendered `input_option.html` (a checkbox or radio of a multiple choice)."""
    html = input_html(widget)
    if html is None or not widget.get("wrap_label"):
        return html
    label = _text(widget["label"])
    target = widget["attrs"].get("id")
    target = _text(target) if target else ""
    if label is None or target is None:
        return None
    target = f' for="{target}"' if target else ""
    # input.html ends with a newline, which the include keeps inside the label.
    return f"<label{target}>{html}\n {label}</label>"


def textarea_html(widget: dict[str, Any]) -> str | None:
    """The rendered `textarea.html` for a widget context, or None to use the templates."""
    name = _text(widget["name"])
    value = widget["value"]
    text = _text(value) if value else ""
    if name is None or text is None:
        return None
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{text}</textarea>'


def field_html(field: BoundField) -> SafeString:
    """`templates/includes/field.html` for one field, written here: `{% field form.x %}`.

    A page has up to twenty fields, and each include cost ~0.1 ms of template machinery
    around its widget. Same bytes as the template (tested against it).
    """
    classes = "field"
    if field.errors:
        classes += " has-error"
    if field.field.required:
        classes += " required"
    label = conditional_escape(field.label)
    if field.widget_type == "checkboxselectmultiple":
        choices = "".join(
            f"<label>{choice.tag()} {conditional_escape(choice.choice_label)}</label>"
            for choice in field
        )
        body = (
            f"\n  <fieldset>\n    <legend>{label}</legend>\n"
            f'    <div class="choices">{choices}</div>\n  </fieldset>\n  '
        )
    else:
        body = (
            f'\n  <label for="{conditional_escape(field.id_for_label)}">{label}</label>\n'
            f"  {conditional_escape(str(field))}\n  "
        )
    auto_id = conditional_escape(field.auto_id)
    help_text = ""
    if field.help_text:
        help_text = (
            f'<p class="help" id="{auto_id}_helptext">{conditional_escape(field.help_text)}</p>'
        )
    errors = "".join(
        f'<p class="error" id="{auto_id}_error">{conditional_escape(error)}</p>'
        for error in field.errors
    )
    return mark_safe(f'<div class="{classes}">\n  {body}\n  {help_text}\n  {errors}\n</div>\n')


def set_plain_choices(field: forms.ChoiceField, choices: list[tuple[Any, str]]) -> None:
    """`field.choices = choices` for plain (value, text) pairs (text or lazy text), which
    are already what Django's `normalize_choices` would make of them: set on the field and
    its widget without normalising them twice (~1.5 µs a choice; a project page sets ~200).
    Other choices (groups, enums, callables) go Django's way."""
    if any(not isinstance(label, str | Promise) for _value, label in choices):
        field.choices = choices
        return
    field._choices = choices  # type: ignore[attr-defined]
    field.widget._choices = choices  # type: ignore[attr-defined]


# Primary keys are 64-bit at most (BigAutoField); a longer number is no row of any table.
LARGEST_ID = 2**63 - 1


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses ids no database column can hold.

    Django checks each id with an exact lookup (which knows integer ranges) but then loads
    them with `pk__in`, which does not: SQLite raises OverflowError and PostgreSQL a
    DataError, a 500 for `?tasks=99999999999999999999`. Such an id is an invalid choice.
    """

    def _check_values(self, value: Any) -> Any:
        for item in value if isinstance(value, list | tuple) else []:
            try:
                number = int(str(item))
            except ValueError:
                continue  # Django's own check names the bad value.
            if not -LARGEST_ID <= number <= LARGEST_ID:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)
