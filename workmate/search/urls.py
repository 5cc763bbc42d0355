from __future__ import annotations

from django.urls import path

from workmate.search import views

urlpatterns = [
    path("", views.results, name="results"),
    path("quick/", views.quick, name="quick"),
]
