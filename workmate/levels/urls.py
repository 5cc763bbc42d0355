from __future__ import annotations

from django.urls import path

from workmate.levels import views

urlpatterns = [
    # My level and the way to the rest.
    path("", views.home, name="home"),
    # The ladder, its versions, and executives' edits (each publishes a new version).
    path("ladder/", views.ladder, name="ladder"),
    path("ladder/versions/", views.ladder_versions, name="versions"),
    path("ladder/start/", views.ladder_start, name="ladder_start"),
    path("ladder/edit/", views.edit_expectation, name="edit_expectation"),
    path("ladder/edit-level/", views.edit_level, name="edit_level"),
    # My ledger: reading, curating, glue work; colleagues' confirmations.
    path("ledger/", views.my_ledger, name="ledger"),
    path("ledger/glue/", views.add_glue, name="glue"),
    path("entries/<int:pk>/", views.curate, name="curate"),
    path("confirmations/", views.confirmations, name="confirmations"),
    path("confirmations/<int:pk>/", views.confirmation, name="confirmation"),
    # My brag document, printable and as Markdown.
    path("brag/", views.brag, name="brag"),
    path("brag/print/", views.brag_print, name="brag_print"),
    path("brag.md", views.brag_markdown, name="brag_markdown"),
    # A person (for them, their leads and executives) and a team (leads, executives).
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/ledger/", views.person_ledger, name="person_ledger"),
    path("people/<int:pk>/brag/", views.brag, name="person_brag"),
    path("people/<int:pk>/brag/print/", views.brag_print, name="person_brag_print"),
    path("people/<int:pk>/brag.md", views.brag_markdown, name="person_brag_markdown"),
    path("teams/<int:pk>/", views.team, name="team"),
]
