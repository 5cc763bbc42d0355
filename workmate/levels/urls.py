from __future__ import annotations

from django.urls import path

from workmate.levels import views

urlpatterns = [
    path("", views.home, name="home"),
]
