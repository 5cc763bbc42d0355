"""`{% topbar %}`: base.html's <header>, written in Python (workmate/accounts/nav.py)."""

from __future__ import annotations

from django import template
from django.template import Context
from django.utils.safestring import SafeString

from workmate.accounts import nav

register = template.Library()


@register.simple_tag(takes_context=True)
def topbar(context: Context) -> SafeString:
    return nav.topbar(context)
