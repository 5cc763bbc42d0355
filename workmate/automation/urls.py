from __future__ import annotations

from django.urls import path

from workmate.automation import views

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("events/", views.events, name="events"),
    path("<int:pk>/", views.rule_detail, name="rule"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/toggle/", views.toggle, name="toggle"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/runs/<int:run_pk>/", views.run_detail, name="run"),
]
