from __future__ import annotations

from django.urls import path

from workmate.library import views

urlpatterns = [
    path("", views.home, name="home"),
    path("s/<str:key>/", views.space, name="space"),
    path("pages/<int:pk>/", views.page, name="page"),
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
