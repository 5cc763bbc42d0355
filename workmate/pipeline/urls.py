from __future__ import annotations

from django.urls import path

from workmate.pipeline import views

urlpatterns = [
    path("", views.board, name="home"),
    path("list/", views.poc_list, name="list"),
    path("new/", views.new, name="new"),
    path("contracts/", views.contracts, name="contracts"),
    path("division/", views.division, name="division"),
    path("from-proposal/<int:proposal_pk>/", views.from_proposal, name="from_proposal"),
    path("page-templates/<int:pk>/", views.page_template, name="page_template"),
    path("<int:pk>/", views.poc_detail, name="poc"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/advance/", views.advance, name="advance"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/drop/", views.drop, name="drop"),
]
