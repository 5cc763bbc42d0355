"""The Reports section of the customer portal, at /portal/reports/ (namespace
"portal_reports"); contacts only (workmate/advisor/portal.py)."""

from __future__ import annotations

from django.urls import path

from workmate.advisor import portal as views

urlpatterns = [
    path("", views.reports, name="reports"),
    path("<int:pk>/", views.report_page, name="report"),
    path("<int:pk>/report.pdf", views.report_pdf, name="pdf"),
    path("<int:pk>/report.csv", views.report_csv, name="csv"),
    path("<int:pk>/report.xlsx", views.report_xlsx, name="xlsx"),
]
