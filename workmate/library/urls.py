from __future__ import annotations

from django.urls import path

from workmate.library import views

urlpatterns = [
    path("", views.home, name="home"),
    path("s/<str:key>/", views.space, name="space"),
    path("pages/<int:pk>/", views.page, name="page"),
]
