"""Signals the library sends for the apps above it (sent inside the change's transaction).

`page_verified` (sender=Page, instance=page, actor=the person who verified it): a page's
owner or a space editor vouched for the page until `page.verified_until`.
"""

from __future__ import annotations

import django.dispatch

page_verified = django.dispatch.Signal()

# `page_referenced` (sender=Page, instance=the page linked to, actor=the writer or None
# when unknown, source=the Page, Task, Ticket or Proposal whose text now links to it):
# sent once per source the first time it links to the page (`references`).
page_referenced = django.dispatch.Signal()

# `page_template_used` (sender=PageTemplate, instance=the template, actor=the person,
# page=the new page made from it, with `page.template_revision` the version used).
page_template_used = django.dispatch.Signal()
