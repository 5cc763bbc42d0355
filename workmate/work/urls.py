from __future__ import annotations

from django.urls import path

from workmate.work import views

urlpatterns = [
    path("", views.my_tasks, name="home"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:pk>/acknowledge/", views.acknowledge_request, name="acknowledge_request"),
    path("requests/<int:pk>/answer/", views.answer_request, name="answer_request"),
    path("requests/<int:pk>/hand-back/", views.hand_back_request, name="hand_back_request"),
    path("projects/", views.projects, name="projects"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("projects/<int:pk>/tasks/", views.add_task, name="add_task"),
    path("projects/<int:pk>/sections/", views.add_section, name="add_section"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/toggle/", views.toggle_task, name="toggle_task"),
    path("tasks/<int:pk>/comments/", views.add_comment, name="add_comment"),
]
