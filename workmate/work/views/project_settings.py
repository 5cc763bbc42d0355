"""A project's settings page: its details, its members and whether it is archived."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from workmate.accounts.models import User
from workmate.work import services
from workmate.work.forms import (
    MemberRoleForm,
    ProjectMemberForm,
    ProjectSettingsForm,
    add_service_errors,
)
from workmate.work.models import Project, ProjectMember, ProjectRole


@dataclass
class MemberRow:
    """One line of the members list; the owner's has no form, since they always edit."""

    user: User
    is_owner: bool
    member: ProjectMember | None
    form: MemberRoleForm | None


def _member_rows(
    project: Project, *, can_edit: bool, bound: MemberRoleForm | None = None
) -> list[MemberRow]:
    """The owner first, then the members by name, each with a role form for editors."""
    rows = [MemberRow(project.owner, True, None, None)]
    members = (
        project.memberships.exclude(user_id=project.owner_id)
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )
    for member in members:
        form = None
        if can_edit:
            prefix = f"member{member.user_id}"
            if bound is not None and bound.auto_id == f"{prefix}_%s":
                form = bound
            else:
                form = MemberRoleForm(initial={"role": member.role}, auto_id=f"{prefix}_%s")
        rows.append(MemberRow(member.user, False, member, form))
    return rows


def _members_context(
    request: HttpRequest,
    project: Project,
    *,
    member_form: ProjectMemberForm | None = None,
    role_form: MemberRoleForm | None = None,
    error: str = "",
) -> dict[str, object]:
    can_edit = services.can_edit_project(request.user, project)
    if can_edit and member_form is None:
        member_form = ProjectMemberForm(auto_id="add_member_%s")
    return {
        "project": project,
        "can_edit": can_edit,
        "members": _member_rows(project, can_edit=can_edit, bound=role_form),
        "member_form": member_form if can_edit else None,
        "members_error": error,
    }


def _settings_page(
    request: HttpRequest,
    project: Project,
    *,
    form: ProjectSettingsForm | None = None,
    member_form: ProjectMemberForm | None = None,
    role_form: MemberRoleForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """Details, members and archive state; forms only for those who may use them."""
    context = _members_context(
        request, project, member_form=member_form, role_form=role_form, error=error
    )
    can_manage = services.can_manage_project(request.user, project)
    if context["can_edit"] and form is None:
        form = ProjectSettingsForm(project=project, can_manage=can_manage)
    context |= {
        "form": form if context["can_edit"] else None,
        "can_archive": can_manage,
        # The tabs offer these settings to whoever may unarchive an archived project.
        "can_unarchive": project.is_archived and can_manage,
    }
    if request.htmx:
        return render(request, "work/partials/_project_settings.html", context, status=status)
    return render(request, "work/project_settings.html", context, status=status)


def _members_changed(request: HttpRequest, project: Project, note: str) -> HttpResponse:
    """After a change to the members: the list again for htmx, else back to the page."""
    if not services.can_view_project(request.user, project):
        # Someone took themselves off a private project: it is gone for them.
        messages.success(request, note)
        if request.htmx:
            return HttpResponseClientRedirect(reverse("work:projects"))
        return redirect("work:projects")
    if request.htmx:
        context = _members_context(request, project)
        context["note"] = note
        return render(request, "work/partials/_project_members.html", context)
    messages.success(request, note)
    return redirect("work:project_settings", pk=project.pk)


def _members_refused(
    request: HttpRequest,
    project: Project,
    *,
    member_form: ProjectMemberForm | None = None,
    role_form: MemberRoleForm | None = None,
    error: str = "",
) -> HttpResponse:
    """A member change that did not go through, said beside the form it came from."""
    if request.htmx:
        # htmx swaps only 2xx answers, so the list with its errors comes back as 200.
        context = _members_context(
            request, project, member_form=member_form, role_form=role_form, error=error
        )
        return render(request, "work/partials/_project_members.html", context)
    return _settings_page(
        request, project, member_form=member_form, role_form=role_form, error=error, status=400
    )


def _role_name(role: str) -> str:
    return str(ProjectRole(role).label).lower()


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Details -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def project_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the settings (read-only to those who cannot edit); POST: save the details."""
    project = services.get_project_for_user(request.user, pk)
    if request.method != "POST":
        return _settings_page(request, project)
    services.check_can_edit(request.user, project)
    can_manage = services.can_manage_project(request.user, project)
    form = ProjectSettingsForm(request.POST, project=project, can_manage=can_manage)
    if form.is_valid():
        try:
            project = services.do_update_project(request.user, project, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Settings of “%(name)s” saved.") % {"name": project.name})
            if not services.can_view_project(request.user, project):
                # A team lead who made the project private without being a member lost it.
                messages.info(request, _("It is private now and you are not a member."))
                return redirect("work:projects")
            return redirect("work:project_settings", pk=project.pk)
    return _settings_page(request, project, form=form, status=400)


# --- Members -----------------------------------------------------------------------------


@login_required
@require_POST
def add_project_member(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person with a role; adding a member again changes their role."""
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    form = ProjectMemberForm(request.POST, auto_id="add_member_%s")
    if form.is_valid():
        person, role = form.cleaned_data["user"], form.cleaned_data["role"]
        try:
            services.do_add_project_member(request.user, project, person, role)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            note = _("%(name)s is a member as %(role)s.") % {
                "name": person.full_name,
                "role": _role_name(role),
            }
            return _members_changed(request, project, note)
    return _members_refused(request, project, member_form=form)


@login_required
@require_POST
def project_member(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    """Change one member's role."""
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    member = services.get_project_member(project, user_pk)
    form = MemberRoleForm(request.POST, auto_id=f"member{member.user_id}_%s")
    if form.is_valid():
        role = form.cleaned_data["role"]
        try:
            services.do_set_project_member_role(request.user, project, member.user, role)
        except ValidationError as error:
            # Said above the list: the owner's row, for one, has no role form to show it in.
            return _members_refused(request, project, error=_error_text(error))
        note = _("%(name)s is now %(role)s.") % {
            "name": member.user.full_name,
            "role": _role_name(role),
        }
        return _members_changed(request, project, note)
    return _members_refused(request, project, role_form=form)


@login_required
@require_POST
def remove_project_member(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    if user_pk == project.owner_id:
        person = project.owner
    else:
        person = services.get_project_member(project, user_pk).user
    try:
        services.do_remove_project_member(request.user, project, person)
    except ValidationError as error:
        return _members_refused(request, project, error=_error_text(error))
    note = _("%(name)s is no longer a member.") % {"name": person.full_name}
    return _members_changed(request, project, note)


# --- Archive -----------------------------------------------------------------------------


@login_required
@require_POST
def archive_project(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive: the project turns read-only and leaves the projects index."""
    project = services.get_project_for_user(request.user, pk)
    project = services.do_archive_project(request.user, project)
    messages.success(
        request, _("“%(name)s” is archived and now read-only.") % {"name": project.name}
    )
    return redirect("work:project_settings", pk=project.pk)


@login_required
@require_POST
def unarchive_project(request: HttpRequest, pk: int) -> HttpResponse:
    project = services.get_project_for_user(request.user, pk)
    project = services.do_unarchive_project(request.user, project)
    messages.success(request, _("“%(name)s” is active again.") % {"name": project.name})
    return redirect("work:project_settings", pk=project.pk)
