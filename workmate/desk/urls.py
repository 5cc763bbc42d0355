from __future__ import annotations

from django.urls import path  # noqa: F401

# Routes: agent pages (desk-agent helper), portal (desk-portal helper, under /portal/),
# reports (desk-reports helper). Each adds its own lines.
urlpatterns: list = []
