from __future__ import annotations

from django.urls import path

from workmate.reviews import views, views_pay

urlpatterns = [
    path("", views.home, name="home"),
    path("cycles/new/", views.open_cycle, name="open_cycle"),
    path("cycles/<int:pk>/", views.cycle, name="cycle"),
    path("cycles/<int:pk>/close/", views.close_cycle, name="close_cycle"),
    path("cycles/<int:pk>/calibration/<str:team>/", views.calibration, name="calibration"),
    path("p/<int:pk>/", views.participant, name="participant"),
    path("p/<int:pk>/self/<slug:code>/", views.write_self, name="write_self"),
    path("p/<int:pk>/assess/<slug:code>/", views.write_assessment, name="write_assessment"),
    path("p/<int:pk>/submit/", views.submit_self, name="submit_self"),
    path("p/<int:pk>/ask/", views.ask_feedback, name="ask_feedback"),
    path("p/<int:pk>/propose/", views.propose, name="propose"),
    path("p/<int:pk>/calibrate/", views.calibrate, name="calibrate"),
    path("feedback/<int:pk>/", views.feedback, name="feedback"),
    path("pay/", views_pay.bands, name="pay"),
    path("pay/me/", views_pay.my_pay, name="my_pay"),
    path("pay/people/", views_pay.people, name="pay_people"),
    path("pay/people/<int:pk>/", views_pay.person_pay, name="person_pay"),
    path("pay/proposals/<int:pk>/", views_pay.decide, name="decide_pay"),
    path("pay/audit/", views_pay.audit, name="pay_audit"),
]
