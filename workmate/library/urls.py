from __future__ import annotations

from django.urls import path

from workmate.library import views

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.space_new, name="space_new"),
    path("s/<str:key>/", views.space, name="space"),
    path("s/<str:key>/new/", views.page_new, name="page_new"),
    path("s/<str:key>/settings/", views.space_settings, name="space_settings"),
    path("s/<str:key>/members/", views.space_member, name="space_member"),
    path("pages/<int:pk>/", views.page, name="page"),
    path("pages/<int:pk>/edit/", views.page_edit, name="edit"),
    path("pages/<int:pk>/history/", views.page_history, name="history"),
    path("pages/<int:pk>/diff/", views.page_diff, name="diff"),
    path("pages/<int:pk>/revisions/<int:number>/", views.page_revision, name="revision"),
    path("pages/<int:pk>/revisions/<int:number>/restore/", views.page_restore, name="restore"),
    path("pages/<int:pk>/revisions/<int:number>/decide/", views.revision_decide, name="decide"),
    path("pages/<int:pk>/verify/", views.page_verify, name="verify"),
    path("pages/<int:pk>/flag/", views.page_flag, name="flag"),
    path("pages/<int:pk>/move/", views.page_move, name="move"),
    path("pages/<int:pk>/settings/", views.page_settings, name="page_settings"),
    path("pages/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("tags/<str:name>/", views.tag, name="tag"),
]
