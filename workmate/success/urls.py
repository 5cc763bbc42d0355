from __future__ import annotations

from django.urls import path

from workmate.success import views, views_reports

urlpatterns = [
    path("", views.home, name="home"),
    path("customers/<int:pk>/", views.account, name="account"),
    path("customers/<int:pk>/contract/", views.contract, name="contract"),
    path("customers/<int:pk>/health/", views.override, name="override"),
    path("customers/<int:pk>/meetings/new/", views.new_meeting, name="new_meeting"),
    path("customers/<int:pk>/feedback/new/", views.new_feedback, name="new_feedback"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/<int:pk>/", views.feedback, name="feedback"),
    path("feedback/<int:pk>/route/", views.route, name="route"),
    path("feedback/<int:pk>/answer/", views.answer, name="answer"),
    path("feedback/<int:pk>/theme/", views.set_theme, name="set_theme"),
    path("themes/", views.themes, name="themes"),
    path("themes/<int:pk>/", views.theme, name="theme"),
    path("themes/<int:pk>/merge/", views.merge_theme, name="merge_theme"),
    path("themes/<int:pk>/split/", views.split_theme, name="split_theme"),
    path("themes/<int:pk>/route/", views.route_theme, name="route_theme"),
    path("reports/", views_reports.reports_page, name="reports"),
    path("reports/feedback.csv", views_reports.reports_csv, name="reports_csv"),
]
