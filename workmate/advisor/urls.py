from __future__ import annotations

from django.urls import path

from workmate.advisor import views

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("rules/", views.rule_book, name="rules"),
    path("csap/", views.csap, name="csap"),
    path("template.csv", views.template_download, name="template"),
    path("<int:pk>/", views.assessment, name="assessment"),
    path("<int:pk>/settings/", views.update_settings, name="settings"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/import/", views.start_import, name="start_import"),
    path("<int:pk>/imports/<int:run_pk>/", views.import_run, name="import"),
    path("<int:pk>/imports/<int:run_pk>/confirm/", views.confirm_import, name="confirm_import"),
    path("<int:pk>/imports/<int:run_pk>/cancel/", views.cancel_import, name="cancel_import"),
    path("<int:pk>/bulk/", views.bulk_edit, name="bulk_edit"),
    path("<int:pk>/workloads/<int:wpk>/", views.workload, name="workload"),
    path("<int:pk>/workloads/<int:wpk>/override/", views.override, name="override"),
]

# The report, its exports, publishing and the migration project
# (workmate/advisor/views_report.py).
from workmate.advisor import views_report  # noqa: E402

urlpatterns += [
    path("<int:pk>/report/", views_report.report_page, name="report"),
    path("<int:pk>/report.pdf", views_report.report_pdf, name="report_pdf"),
    path("<int:pk>/report.csv", views_report.report_csv, name="report_csv"),
    path("<int:pk>/report.xlsx", views_report.report_xlsx, name="report_xlsx"),
    path("<int:pk>/publish/", views_report.publish, name="publish"),
    path("<int:pk>/unpublish/", views_report.unpublish, name="unpublish"),
    path("<int:pk>/project/", views_report.start_project, name="start_project"),
]
