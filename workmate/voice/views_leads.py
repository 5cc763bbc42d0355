"""The leads' side of the board: answers, merges, moderation, voice to work and figures."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST, require_safe

from workmate.accounts.models import Team, TeamRole, User
from workmate.lib import csvexport
from workmate.voice import leads, services
from workmate.voice.models import Proposal, ProposalComment, ProposalStatus
from workmate.voice.views import say_errors
from workmate.work.models import Project, ProjectRole

# --- Forms -----------------------------------------------------------------------------


class AnswerForm(forms.Form):
    to_status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ProposalStatus.choices)
    answer = forms.CharField(
        label=gettext_lazy("Answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Everyone sees it. Declining needs the reason."),
    )


class MergeForm(forms.Form):
    kept = forms.ModelChoiceField(
        label=gettext_lazy("Merge into"), queryset=Proposal.objects.none()
    )
    answer = forms.CharField(label=gettext_lazy("Answer"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, proposal: Proposal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kept"].queryset = Proposal.objects.exclude(pk=proposal.pk).exclude(
            status=ProposalStatus.MERGED
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, required=False)


class MakeTaskForm(forms.Form):
    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=Project.objects.none())

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = editable_projects(user)


class MakeProjectForm(forms.Form):
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=Team.objects.none())

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(memberships__user=user).order_by("name")


def editable_projects(user: User):
    """Active projects the person owns, edits, or leads the team of (the usual editors)."""
    return (
        Project.objects.visible_to(user)
        .active()
        .filter(
            Q(owner=user)
            | Q(memberships__user=user, memberships__role=ProjectRole.EDITOR)
            | Q(team__memberships__user=user, team__memberships__role=TeamRole.LEAD)
        )
        .distinct()
        .order_by("name")
    )


# --- One proposal ----------------------------------------------------------------------


def _lead_proposal(user: User, pk: int) -> Proposal:
    proposal = services.get_proposal_for_user(user, pk)
    leads.check_is_lead(user)
    return proposal


def _controls_context(request: HttpRequest, proposal: Proposal, **forms_: forms.Form) -> dict:
    user = request.user
    context = {
        "proposal": proposal,
        "answer_form": AnswerForm(initial={"to_status": proposal.status}),
        "merge_form": MergeForm(proposal=proposal),
        "reason_form": ReasonForm(),
        "task_form": MakeTaskForm(user=user),
        "project_form": MakeProjectForm(user=user),
    }
    context.update(forms_)
    return context


def _controls(
    request: HttpRequest, proposal: Proposal, status: int = 200, **forms_
) -> HttpResponse:
    """After a lead action: the controls again for htmx, else back to the lead page."""
    if request.htmx:
        context = _controls_context(request, proposal, **forms_)
        return render(request, "voice/leads/_controls.html", context, status=status)
    return redirect("voice:lead_proposal", pk=proposal.pk)


@login_required
@require_safe
def lead_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead's view of one proposal: hidden text readable, every lead control at hand."""
    proposal = _lead_proposal(request.user, pk)
    context = _controls_context(request, proposal)
    if request.htmx:
        return render(request, "voice/leads/_controls.html", context)
    context.update(
        is_lead=True,
        answers=proposal.answers.select_related("lead"),
        # Threads together: each top-level comment followed by its replies, oldest first.
        comments=proposal.comments.select_related("author", "parent__author").order_by(
            Coalesce("parent_id", "id"), "created_at", "id"
        ),
        moderation=proposal.moderation.select_related("moderator", "comment"),
    )
    return render(request, "voice/leads/proposal.html", context)


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _lead_proposal(request.user, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            leads.do_change_status(
                request.user, proposal, form.cleaned_data["to_status"], form.cleaned_data["answer"]
            )
        except ValidationError as error:
            say_errors(request, error)
            return _controls(request, proposal, 400, answer_form=form)
        messages.success(request, _("Answer published."))
        return _controls(request, proposal)
    say_errors(request, ValidationError(_("Write an answer: every change needs one.")))
    return _controls(request, proposal, 400, answer_form=form)


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _lead_proposal(request.user, pk)
    form = MergeForm(request.POST, proposal=proposal)
    if form.is_valid():
        try:
            leads.do_merge(
                request.user, proposal, form.cleaned_data["kept"], form.cleaned_data["answer"]
            )
        except ValidationError as error:
            say_errors(request, error)
            return _controls(request, proposal, 400, merge_form=form)
        messages.success(request, _("Merged."))
        return _controls(request, proposal)
    say_errors(request, ValidationError(_("Pick the proposal to keep and write an answer.")))
    return _controls(request, proposal, 400, merge_form=form)


def _moderate(
    request: HttpRequest, proposal: Proposal, comment: ProposalComment | None, hide: bool
):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if hide:
            leads.do_hide(request.user, proposal, reason, comment)
        else:
            leads.do_unhide(request.user, proposal, reason, comment)
    except ValidationError as error:
        say_errors(request, error)
        return _controls(request, proposal, 400)
    messages.success(request, _("Hidden.") if hide else _("Shown again."))
    return _controls(request, proposal)


@login_required
@require_POST
def hide_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    return _moderate(request, _lead_proposal(request.user, pk), None, hide=True)


@login_required
@require_POST
def unhide_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    return _moderate(request, _lead_proposal(request.user, pk), None, hide=False)


def _lead_comment(user: User, pk: int) -> ProposalComment:
    comment = get_object_or_404(ProposalComment, pk=pk)
    _lead_proposal(user, comment.proposal_id)
    return comment


@login_required
@require_POST
def hide_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _lead_comment(request.user, pk)
    return _moderate(request, comment.proposal, comment, hide=True)


@login_required
@require_POST
def unhide_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _lead_comment(request.user, pk)
    return _moderate(request, comment.proposal, comment, hide=False)


@login_required
@require_POST
def make_task(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _lead_proposal(request.user, pk)
    form = MakeTaskForm(request.POST, user=request.user)
    if not form.is_valid():
        say_errors(request, ValidationError(_("Pick a project you can edit.")))
        return _controls(request, proposal, 400, task_form=form)
    try:
        task = leads.do_make_task(request.user, proposal, form.cleaned_data["project"])
    except ValidationError as error:
        say_errors(request, error)
        return _controls(request, proposal, 400, task_form=form)
    messages.success(request, _("Task “%(title)s” created.") % {"title": task.title})
    return _controls(request, proposal)


@login_required
@require_POST
def make_project(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _lead_proposal(request.user, pk)
    form = MakeProjectForm(request.POST, user=request.user)
    if not form.is_valid():
        say_errors(request, ValidationError(_("Pick one of your teams.")))
        return _controls(request, proposal, 400, project_form=form)
    try:
        project = leads.do_make_project(request.user, proposal, form.cleaned_data["team"])
    except ValidationError as error:
        say_errors(request, error)
        return _controls(request, proposal, 400, project_form=form)
    messages.success(request, _("Project “%(name)s” created.") % {"name": project.name})
    return _controls(request, proposal)


# --- Lists and figures -----------------------------------------------------------------


@login_required
@require_safe
def waiting(request: HttpRequest) -> HttpResponse:
    leads.check_is_lead(request.user)
    context = {
        "rows": leads.waiting_for_answer(),
        "days": settings.VOICE_ANSWER_WORKING_DAYS,
        "is_lead": True,
    }
    if request.htmx:
        return render(request, "voice/leads/_waiting_rows.html", context)
    return render(request, "voice/leads/waiting.html", context)


@login_required
@require_safe
def scoreboard(request: HttpRequest) -> HttpResponse:
    context = {"board": leads.scoreboard(), "is_lead": leads.is_lead(request.user)}
    if request.htmx:
        return render(request, "voice/leads/_scoreboard.html", context)
    return render(request, "voice/leads/scoreboard.html", context)


def _month(value: str | None) -> datetime.date:
    """`?month=YYYY-MM`, or this month in the company's zone."""
    if value:
        try:
            return datetime.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            pass
    today = timezone.now().astimezone(leads.company_calendar().zone).date()
    return today.replace(day=1)


@login_required
@require_safe
def summary(request: HttpRequest) -> HttpResponse:
    if not leads.can_see_summary(request.user):
        raise PermissionDenied(_("The monthly summary is for leads and executives."))
    month = _month(request.GET.get("month"))
    report = leads.monthly_summary(month)
    if request.GET.get("format") == "csv":
        return _summary_csv(report)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    context = {
        "report": report,
        "previous": previous,
        "following": following,
        "is_lead": leads.is_lead(request.user),
    }
    if request.htmx:
        return render(request, "voice/leads/_summary.html", context)
    return render(request, "voice/leads/summary.html", context)


def _summary_csv(report: leads.MonthlySummary) -> HttpResponse:
    """The month's figures, then its proposals; anonymous ones say so instead of a name."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="voice-{report.month:%Y-%m}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 (Korean) only with a BOM.
    out = csvexport.writer(response)
    out.writerow([_("Month"), f"{report.month:%Y-%m}"])
    out.writerow([_("New"), report.new])
    out.writerow([_("Answered"), report.answered])
    out.writerow([_("Done"), report.done])
    out.writerow([_("Declined"), report.declined])
    for label, count in report.by_area:
        out.writerow([_("Area: %(area)s") % {"area": label}, count])
    out.writerow([])
    out.writerow([_("Top-voted open"), _("Votes")])
    for proposal in report.top_open:
        out.writerow([proposal.title, proposal.vote_count])
    out.writerow([])
    out.writerow(
        [
            pgettext("proposal", "Number"),
            _("Title"),
            _("Area"),
            _("Status"),
            _("Votes"),
            _("Posted"),
            _("Author"),
        ]
    )
    for proposal in report.proposals:
        author = (
            _("Anonymous")
            if proposal.is_anonymous or proposal.author is None
            else (proposal.author.full_name)
        )
        out.writerow(
            [
                proposal.pk,
                proposal.title,
                proposal.get_area_display(),
                proposal.get_status_display(),
                proposal.vote_count,
                timezone.localtime(proposal.created_at).strftime("%Y-%m-%d"),
                author,
            ]
        )
    return response
