"""Template tags every template has without `{% load %}` (TEMPLATES' "builtins").

`{% field form.name %}` writes one form field as `templates/includes/field.html` laid it
out (label, widget, help text, errors), in Python: see `workmate.lib.forms.field_html`.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from workmate.lib.forms import field_html

register = template.Library()


@register.simple_tag(name="field")
def field_tag(field: BoundField) -> SafeString:
    return field_html(field)
