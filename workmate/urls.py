from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from workmate.api import api
from workmate.api import docs as api_docs
from workmate.health import healthz, readyz
from workmate.ops.metrics import metrics_view

admin.site.site_header = "Workmate"
admin.site.site_title = "Workmate"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/docs", api_docs, name="api_docs"),
    path("work/", include(("workmate.work.urls", "work"))),
    path("voice/", include(("workmate.voice.urls", "voice"))),
    path("inbox/", include(("workmate.inbox.urls", "inbox"))),
    path("desk/", include(("workmate.desk.urls", "desk"))),
    path("portal/", include(("workmate.desk.portal_urls", "portal"))),
    path("checkins/", include(("workmate.checkins.urls", "checkins"))),
    path("library/", include(("workmate.library.urls", "library"))),
    path("pipeline/", include(("workmate.pipeline.urls", "pipeline"))),
    path("levels/", include(("workmate.levels.urls", "levels"))),
    path("reviews/", include(("workmate.reviews.urls", "reviews"))),
    path("advisor/", include(("workmate.advisor.urls", "advisor"))),
    path("portal/reports/", include(("workmate.advisor.portal_urls", "portal_reports"))),
    path("search/", include(("workmate.search.urls", "search"))),
    path("portal/search/", include(("workmate.search.portal_urls", "portal_search"))),
    path("", include("workmate.accounts.urls")),
]

# Error pages in the reader's language with the site's header (workmate/errors.py).
handler400 = "workmate.errors.bad_request"
handler403 = "workmate.errors.permission_denied"
handler404 = "workmate.errors.page_not_found"
handler500 = "workmate.errors.server_error"
