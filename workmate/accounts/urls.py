from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from workmate.accounts import views, views_availability
from workmate.accounts.forms import LoginForm, PasswordResetForm

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.directory, name="directory"),
    path(
        "people/availability/",
        views_availability.person_availability,
        name="person_availability",
    ),
    path(
        "people/<int:pk>/availability/",
        views_availability.person_availability,
        name="person_availability_of",
    ),
    path("me/", views.profile, name="profile"),
    path("me/mode/", views.set_work_mode, name="set_work_mode"),
    path("me/mode/<str:date>/clear/", views.clear_work_mode, name="clear_work_mode"),
    path("me/tokens/", views.create_api_token, name="create_api_token"),
    path("me/tokens/<int:pk>/revoke/", views.revoke_api_token, name="revoke_api_token"),
    path("language/", views.set_language, name="set_language"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
