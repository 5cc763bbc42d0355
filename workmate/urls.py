from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Workmate"
admin.site.site_title = "Workmate"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("work/", include(("workmate.work.urls", "work"))),
    path("", include("workmate.accounts.urls")),
]
