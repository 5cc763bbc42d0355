from __future__ import annotations

from django.urls import path

from workmate.webhooks import views

urlpatterns = [
    path("", views.endpoint_list, name="home"),
    path("new/", views.endpoint_new, name="endpoint_new"),
    path("<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("<int:pk>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("<int:pk>/rotate/", views.endpoint_rotate, name="endpoint_rotate"),
    path("<int:pk>/enable/", views.endpoint_enable, name="endpoint_enable"),
    path("<int:pk>/test/", views.endpoint_test, name="endpoint_test"),
    path("<int:pk>/replay-failed/", views.endpoint_replay_failed, name="endpoint_replay_failed"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
    path("deliveries/<int:pk>/replay/", views.delivery_replay, name="delivery_replay"),
    path("incoming/", views.incoming_list, name="incoming"),
    path("incoming/new/", views.incoming_new, name="incoming_new"),
]
