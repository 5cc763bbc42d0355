from __future__ import annotations

from django.urls import path

from workmate.advisor import views

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.assessment, name="assessment"),
]
