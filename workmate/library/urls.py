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
    path("s/<str:key>/reorder/", views.space_reorder, name="reorder"),
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

# Templates, comments, export and import (views_templates, views_comments,
# views_transfer).
from workmate.library import views_comments, views_templates, views_transfer  # noqa: E402

urlpatterns += [
    path("s/<str:key>/templates/", views_templates.templates, name="templates"),
    path("templates/<int:pk>/edit/", views_templates.edit_template, name="edit_template"),
    path(
        "s/<str:key>/new-from-template/",
        views_templates.new_from_template,
        name="new_from_template",
    ),
    path("pages/<int:pk>/comments/", views_comments.comment, name="comment"),
    path("comments/<int:pk>/resolve/", views_comments.resolve, name="resolve_comment"),
    path("s/<str:key>/export.zip", views_transfer.export_space, name="export_space"),
    path("pages/<int:pk>/export.zip", views_transfer.export_page, name="export_page"),
    path("s/<str:key>/print/", views_transfer.print_space, name="print_space"),
    path("pages/<int:pk>/print/", views_transfer.print_page, name="print_page"),
    path("s/<str:key>/import/", views_transfer.import_zip, name="import"),
    path("s/<str:key>/imports/<int:pk>/", views_transfer.import_result, name="import_result"),
]
