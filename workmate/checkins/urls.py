from __future__ import annotations

from django.urls import path

from workmate.checkins import views

urlpatterns = [
    # Members: my check-ins, answering one, searching past answers.
    path("", views.mine, name="mine"),
    path("answers/<int:pk>/", views.answer, name="answer"),
    path("search/", views.search, name="search"),
    # A check-in's team page, and the lead's side: setting it up, changing, pausing.
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.team, name="team"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/pause/", views.pause, name="pause"),
    path("<int:pk>/resume/", views.resume, name="resume"),
]
