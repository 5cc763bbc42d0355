from __future__ import annotations

from django.urls import path

from workmate.work.views import my_work, projects, tasks

urlpatterns = [
    path("", my_work.my_tasks, name="home"),
    path("requests/", my_work.requests, name="requests"),
    path("requests/<int:pk>/acknowledge/", my_work.acknowledge_request, name="acknowledge_request"),
    path("requests/<int:pk>/answer/", my_work.answer_request, name="answer_request"),
    path("requests/<int:pk>/hand-back/", my_work.hand_back_request, name="hand_back_request"),
    path("projects/", projects.projects, name="projects"),
    path("projects/<int:pk>/", projects.project, name="project"),
    path("projects/<int:pk>/tasks/", projects.add_task, name="add_task"),
    path("projects/<int:pk>/sections/", projects.add_section, name="add_section"),
    path("tasks/<int:pk>/", tasks.task, name="task"),
    path("tasks/<int:pk>/toggle/", tasks.toggle_task, name="toggle_task"),
    path("tasks/<int:pk>/comments/", tasks.add_comment, name="add_comment"),
]
