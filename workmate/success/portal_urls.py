"""The portal's Feedback section at /portal/feedback/ (namespace "portal_feedback")."""

from __future__ import annotations

from django.urls import path

from workmate.success import portal as views

urlpatterns = [
    path("", views.items, name="items"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.item, name="item"),
]
