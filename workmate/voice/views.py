"""The members' side of the proposal board: the board, a proposal, posting, voting,
comments, following, editing and "my proposals".

Templates never reach an anonymous proposal's author: there is none stored, and the
author's own view ("mine", the edit link) comes from `Proposal.is_by`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.lib.downloads import safe_download
from workmate.voice import panels, services
from workmate.voice.forms import (
    AttachmentsForm,
    BoardFilterForm,
    CommentForm,
    EditProposalForm,
    ProposalForm,
    RemoveAttachmentForm,
    ReplyForm,
    Sort,
    VoteForm,
)
from workmate.voice.models import Answer, Proposal, ProposalComment
from workmate.work.forms import add_service_errors

BOARD_PAGE_SIZE = 30


# --- The board -------------------------------------------------------------------------


def _board_listing(filters: BoardFilterForm) -> QuerySet[Proposal]:
    filters.is_valid()
    data = filters.cleaned_data
    listing = Proposal.objects.visible().annotate(
        comment_count=Count("comments", filter=Q(comments__hidden_at__isnull=True))
    )
    if data.get("area"):
        listing = listing.filter(area=data["area"])
    if data.get("status"):
        listing = listing.filter(status=data["status"])
    sort = data.get("sort") or Sort.TOP
    if sort == Sort.NEWEST:
        return listing.order_by("-created_at", "-pk")
    if sort == Sort.WAITING:
        # Open proposals nobody answered yet come first, the oldest at the top.
        return listing.order_by(
            F("first_answer_at").asc(nulls_first=True), "created_at", "pk"
        ).open()
    return listing.order_by("-vote_count", "-created_at", "-pk")


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    filters = BoardFilterForm(request.GET)
    page = Paginator(_board_listing(filters), BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    context = {"page": page, "filters": filters, "querystring": kept.urlencode()}
    if request.htmx:
        return render(request, "voice/partials/_board_rows.html", context)
    context["is_lead"] = services.is_lead(request.user)
    return render(request, "voice/home.html", context)


# --- One proposal ----------------------------------------------------------------------


def _proposal_context(
    request: HttpRequest, proposal: Proposal, reply_form: ReplyForm | None = None
) -> dict:
    user = request.user
    threads = services.comment_threads(proposal)
    # The reply form open under one thread: after a failed reply, or `?reply=<pk>` from
    # the "Reply" link when htmx does not run.
    reply_to = _reply_to(request, reply_form, threads)
    votes = list(proposal.votes.select_related("user").order_by("created_at", "pk"))
    my_vote = next((vote for vote in votes if vote.user_id == user.pk), None)
    attachments = list(proposal.attachments.all())
    can_edit = services.can_edit_proposal(user, proposal)
    return {
        "proposal": proposal,
        "answers": proposal.answers.select_related("lead").order_by("created_at", "pk"),
        "votes": votes,
        "my_vote": my_vote,
        "vote_form": VoteForm(initial={"comment": my_vote.comment if my_vote else ""}),
        "threads": threads,
        "comment_form": CommentForm(),
        "reply_to": reply_to,
        "reply_form": ReplyForm(comment_pk=reply_to)
        if reply_form is None and reply_to
        else reply_form,
        "subscribed": services.is_following(user, proposal),
        "is_mine": proposal.is_by(user),
        "can_edit": can_edit,
        "is_lead": services.is_lead(user),
        "merged_from": proposal.merged_from.all(),
        "attachments": attachments,
        "attachment_form": (
            AttachmentsForm() if can_edit and len(attachments) < services.MAX_ATTACHMENTS else None
        ),
        "panels": panels.for_proposal(request, proposal),
    }


def _reply_to(
    request: HttpRequest, reply_form: ReplyForm | None, threads: list[ProposalComment]
) -> int | None:
    if reply_form is not None:
        return reply_form.comment_pk
    wanted = request.GET.get("reply", "")
    open_ones = {thread.pk for thread in threads if thread.hidden_at is None}
    return int(wanted) if wanted.isdigit() and int(wanted) in open_ones else None


@login_required
@require_safe
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    found = services.get_proposal_for_user(request.user, pk)
    if found.merged_into_id:
        messages.info(request, _("That proposal was merged into this one."))
        return redirect("voice:proposal", pk=found.merged_into_id)
    return render(request, "voice/proposal.html", _proposal_context(request, found))


def _back_to(request: HttpRequest, found: Proposal, partial: str) -> HttpResponse:
    if request.htmx:
        return render(request, partial, _proposal_context(request, found))
    return redirect("voice:proposal", pk=found.pk)


def say_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    found = services.get_proposal_for_user(request.user, pk)
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            services.do_vote(request.user, found, form.cleaned_data["comment"])
        except ValidationError as error:
            say_errors(request, error)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return _back_to(request, found, "voice/partials/_votes.html")


@login_required
@require_POST
def unvote(request: HttpRequest, pk: int) -> HttpResponse:
    found = services.get_proposal_for_user(request.user, pk)
    services.do_unvote(request.user, found)
    return _back_to(request, found, "voice/partials/_votes.html")


@login_required
@require_POST
def subscribe(request: HttpRequest, pk: int) -> HttpResponse:
    found = services.get_proposal_for_user(request.user, pk)
    services.do_subscribe(request.user, found)
    return _back_to(request, found, "voice/partials/_subscribe.html")


@login_required
@require_POST
def unsubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    found = services.get_proposal_for_user(request.user, pk)
    services.do_unsubscribe(request.user, found)
    return _back_to(request, found, "voice/partials/_subscribe.html")


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    found = services.get_proposal_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.do_comment(request.user, found, form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _back_to(request, found, "voice/partials/_comments.html")
    context = {**_proposal_context(request, found), "comment_form": form}
    if request.htmx:
        # htmx swaps only 2xx answers, so the form with its errors comes back as 200.
        return render(request, "voice/partials/_comments.html", context)
    return render(request, "voice/proposal.html", context, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Reply to comment `pk`: GET gives the form under its thread, POST posts the reply.

    With htmx both answer with a fragment (the form; the whole thread after posting),
    without it they lead back to the proposal page, the form open or the reply shown.
    """
    parent = services.get_comment_for_user(request.user, pk)
    found = parent.proposal
    root = parent.thread_root
    if request.method != "POST":
        if request.htmx:
            form = ReplyForm(comment_pk=root.pk)
            context = {"proposal": found, "thread": root, "reply_form": form}
            return render(request, "voice/partials/_reply_form.html", context)
        return redirect(
            f"{reverse('voice:proposal', args=[found.pk])}?reply={root.pk}#reply-{root.pk}"
        )
    form = ReplyForm(request.POST, comment_pk=root.pk)
    if form.is_valid():
        try:
            posted = services.do_comment(request.user, found, form.cleaned_data["body"], parent)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                context = {"proposal": found, "thread": services.comment_thread(root)}
                return render(request, "voice/partials/_thread.html", context)
            return redirect(f"{reverse('voice:proposal', args=[found.pk])}#comment-{posted.pk}")
    if request.htmx:
        # htmx swaps only 2xx answers, so the thread with the form's errors comes back 200.
        context = {
            "proposal": found,
            "thread": services.comment_thread(root),
            "reply_to": root.pk,
            "reply_form": form,
        }
        return render(request, "voice/partials/_thread.html", context)
    context = _proposal_context(request, found, reply_form=form)
    return render(request, "voice/proposal.html", context, status=400)


# --- Posting and editing ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProposalForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                posted = services.do_post_proposal(request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your proposal is posted. Leads will answer it."))
                return redirect("voice:proposal", pk=posted.pk)
    else:
        form = ProposalForm()
    status = 400 if form.is_bound else 200
    return render(request, "voice/new.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = services.get_proposal_for_user(request.user, pk)
    services.check_can_edit_proposal(request.user, found)
    if request.method == "POST":
        form = EditProposalForm(request.POST)
        if form.is_valid():
            try:
                services.do_edit_proposal(request.user, found, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("voice:proposal", pk=found.pk)
    else:
        form = EditProposalForm(
            initial={
                "title": found.title,
                "problem": found.problem,
                "suggestion": found.suggestion,
                "area": found.area,
                "affected_teams": list(found.affected_teams.all()),
            }
        )
    status = 400 if form.is_bound else 200
    context = {"form": form, "proposal": found, "deadline": services.edit_deadline(found)}
    return render(request, "voice/edit.html", context, status=status)


# --- Attachments -----------------------------------------------------------------------


@login_required
@require_POST
def add_attachments(request: HttpRequest, pk: int) -> HttpResponse:
    """The author adds files from the proposal page, within the edit window."""
    found = services.get_proposal_for_user(request.user, pk)
    services.check_can_edit_proposal(request.user, found)
    form = AttachmentsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added = services.do_add_attachments(
                request.user, found, form.cleaned_data["attachments"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            names = ", ".join(item.name for item in added)
            messages.success(request, _("Attached %(names)s.") % {"names": names})
            return redirect("voice:proposal", pk=found.pk)
    context = {**_proposal_context(request, found), "attachment_form": form}
    return render(request, "voice/proposal.html", context, status=400)


@login_required
@require_safe
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Download a file; only people who may see its proposal get it. Never from MEDIA_URL."""
    item = services.get_attachment_for_user(request.user, pk)
    return safe_download(item.file, name=item.name, content_type=item.content_type)


@login_required
@require_POST
def remove_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """The author within the edit window, or a lead with a reason that goes in the log."""
    item = services.get_attachment_for_user(request.user, pk)
    form = RemoveAttachmentForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.do_remove_attachment(request.user, item, reason)
    except ValidationError as error:
        say_errors(request, error)
    else:
        messages.success(request, _("Removed %(name)s.") % {"name": item.name})
    return redirect("voice:proposal", pk=item.proposal_id)


# --- Mine ------------------------------------------------------------------------------


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """My proposals, anonymous ones included, each with its status and latest answer."""
    found = services.proposals_by(request.user)
    answers = Answer.objects.select_related("lead").order_by("-created_at", "-pk")
    latest: dict[int, Answer] = {}
    for answer in answers.filter(proposal__in=[item.pk for item in found]):
        latest.setdefault(answer.proposal_id, answer)
    for item in found:
        item.latest_answer = latest.get(item.pk)  # type: ignore[attr-defined]
    return render(request, "voice/mine.html", {"proposals": found})
