"""The customer portal at /portal/ (namespace "portal"); contacts only, never staff pages."""

from __future__ import annotations

from django.urls import path

from workmate.desk import portal_views as views

urlpatterns = [
    path("", views.tickets, name="tickets"),
    path("tickets/new/", views.new_ticket, name="new_ticket"),
    path("tickets/<int:pk>/", views.ticket, name="ticket"),
    path("tickets/<int:pk>/reply/", views.reply, name="reply"),
    path("tickets/<int:pk>/solve/", views.solve, name="solve"),
    path("tickets/<int:pk>/files/<int:file_pk>/", views.attachment, name="attachment"),
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("password/", views.password_link, name="password"),
    path("password/sent/", views.password_sent, name="password_sent"),
    path("password/<uidb64>/<token>/", views.password_confirm, name="password_confirm"),
    path("language/", views.set_language, name="language"),
    path("csat/<str:token>/<str:rating>/", views.rate, name="csat"),
]
