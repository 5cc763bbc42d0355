from __future__ import annotations

from django.urls import path

from workmate.inbox import views, views_calendar

# Routes are added by the inbox pages, preferences and calendar feed.
urlpatterns: list = [
    path("", views.home, name="home"),
    path("count", views.count, name="count"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("archive-group/", views.archive_group, name="archive_group"),
    path("<int:pk>/open", views.open_notification, name="open"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("<int:pk>/unread/", views.mark_unread, name="unread"),
    path("<int:pk>/archive/", views.archive, name="archive"),
    path("<int:pk>/unarchive/", views.unarchive, name="unarchive"),
    path("<int:pk>/snooze/", views.snooze, name="snooze"),
    path("preferences/", views.preferences, name="preferences"),
    path("urgent/", views.urgent_audit, name="urgent"),
]

# The private calendar feed (no log-in: the token is the key) and its settings page.
urlpatterns += [
    path("calendar/", views_calendar.calendar_settings, name="calendar"),
    path("calendar/new/", views_calendar.create_calendar_feed, name="calendar_create"),
    path("calendar/reset/", views_calendar.reset_calendar_feed, name="calendar_reset"),
    path("calendar/delete/", views_calendar.delete_calendar_feed, name="calendar_delete"),
    path("calendar/<slug:token>.ics", views_calendar.calendar_feed, name="calendar_feed"),
]
