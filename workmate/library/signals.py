"""Signals the library sends for the apps above it (sent inside the change's transaction).

`page_verified` (sender=Page, instance=page, actor=the person who verified it): a page's
owner or a space editor vouched for the page until `page.verified_until`.
"""

from __future__ import annotations

import django.dispatch

page_verified = django.dispatch.Signal()
