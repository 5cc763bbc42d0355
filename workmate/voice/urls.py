from __future__ import annotations

from django.urls import path

from workmate.voice import views, views_leads

urlpatterns = [
    # Members: the board, posting, one proposal and taking part in it.
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.proposal, name="proposal"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/unvote/", views.unvote, name="unvote"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("comments/<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/subscribe/", views.subscribe, name="subscribe"),
    path("<int:pk>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("<int:pk>/attachments/", views.add_attachments, name="add_attachments"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("attachments/<int:pk>/remove/", views.remove_attachment, name="remove_attachment"),
    # Lead side: answers, merges, moderation, voice to work, waiting list and figures.
    path("<int:pk>/lead/", views_leads.lead_proposal, name="lead_proposal"),
    path("<int:pk>/answer/", views_leads.answer, name="answer"),
    path("<int:pk>/merge/", views_leads.merge, name="merge"),
    path("<int:pk>/hide/", views_leads.hide_proposal, name="hide"),
    path("<int:pk>/unhide/", views_leads.unhide_proposal, name="unhide"),
    path("comments/<int:pk>/hide/", views_leads.hide_comment, name="hide_comment"),
    path("comments/<int:pk>/unhide/", views_leads.unhide_comment, name="unhide_comment"),
    path("<int:pk>/make-task/", views_leads.make_task, name="make_task"),
    path("<int:pk>/make-project/", views_leads.make_project, name="make_project"),
    path("waiting/", views_leads.waiting, name="waiting"),
    path("scoreboard/", views_leads.scoreboard, name="scoreboard"),
    path("summary/", views_leads.summary, name="summary"),
]
