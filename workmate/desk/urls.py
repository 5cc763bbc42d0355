from __future__ import annotations

from django.urls import path

from workmate.desk import views, views_customers, views_reports, views_suspended

# Agent pages (the desk-agent helper's); the portal has its own module (portal_urls.py).
urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.queue, {"queue": "mine"}, name="mine"),
    path("escalated/", views.queue, {"queue": "escalated"}, name="escalated"),
    path("unassigned/", views.queue, {"queue": "unassigned"}, name="unassigned"),
    path("at-risk/", views.queue, {"queue": "at_risk"}, name="at_risk"),
    path("breached/", views.queue, {"queue": "breached"}, name="breached"),
    path("pending/", views.queue, {"queue": "pending"}, name="pending"),
    path("triage/", views.queue, {"queue": "triage"}, name="triage"),
    path("all/", views.queue, {"queue": "all"}, name="all"),
    path("bulk-assign/", views.bulk_assign, name="bulk_assign"),
    path("tickets/<int:pk>/", views.ticket, name="ticket"),
    path("tickets/<int:pk>/reply/", views.reply, name="reply"),
    path("tickets/<int:pk>/files/<int:file_pk>/", views.attachment, name="attachment"),
    path("tickets/<int:pk>/update/", views.update, name="update"),
    path("tickets/<int:pk>/follow/", views.follow, name="follow"),
    path("tickets/<int:pk>/merge/", views.merge, name="merge"),
    path("tickets/<int:pk>/link/", views.link, name="link"),
    path("tickets/<int:pk>/unlink/<int:other>/", views.unlink, name="unlink"),
    path("tickets/<int:pk>/escalate/", views.escalate, name="escalate"),
    path("tickets/<int:pk>/triage/", views.triage, name="triage_ticket"),
    path("customers/", views_customers.directory, name="customers"),
    path("customers/<int:pk>/", views_customers.customer, name="customer"),
    path("suspended/", views_suspended.suspended_list, name="suspended"),
    path("suspended/<int:pk>/", views_suspended.suspended_mail, name="suspended_mail"),
    path("suspended/<int:pk>/ticket/", views_suspended.make_ticket, name="suspended_ticket"),
    path("suspended/<int:pk>/release/", views_suspended.release, name="suspended_release"),
    path("suspended/<int:pk>/dismiss/", views_suspended.dismiss, name="suspended_dismiss"),
    path("macros/", views.macros, name="macros"),
    path("macros/<int:pk>/", views.edit_macro, name="edit_macro"),
    path("time/", views.time_accounting, name="time"),
    path("time.csv", views.time_accounting_csv, name="time_csv"),
    # Reports (desk-reports helper).
    path("reports/", views_reports.report, name="reports"),
    path("reports.csv", views_reports.report_csv, name="report_csv"),
]
