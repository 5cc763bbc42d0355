"""The actions Workmate's rules can take by themselves (registered in apps.py).

Each runs through the owning app's service function as the rule's owner, so a rule obeys
the same checks (who may edit, who may be assigned) as a person doing it by hand.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workmate.accounts.models import User
from workmate.automation.actions import ActionContext, ActionError, ActionForm, register_action

ON_DUTY_LEAD = "on_duty_lead"
ASSIGNEE = "assignee"


def _people_choices(form: ActionForm, *extra: tuple[str, Any]) -> list[tuple[str, Any]]:
    people = User.objects.filter(is_active=True).order_by("full_name", "pk")
    scope = form.rule_scope
    if scope.team is not None:
        people = people.filter(memberships__team=scope.team)
    # In a project scope anyone may be chosen: the service refuses, at run time, someone
    # who cannot see the project (work.services.check_can_see), and the run log says so.
    return [*extra, *[(str(p.pk), p.full_name or p.email) for p in people[:500]]]


def _status_choices(object_type: str) -> list[tuple[str, Any]]:
    if object_type == "ticket":
        from workmate.desk.models import Status

        return list(Status.choices)
    from workmate.work.models import TaskStatus

    return list(TaskStatus.choices)


def _priority_choices(object_type: str) -> list[tuple[str, Any]]:
    if object_type == "ticket":
        from workmate.desk.models import Priority
    else:
        from workmate.work.models import Priority  # type: ignore[assignment]
    return [(str(v), label) for v, label in Priority.choices]


def _label(choices: list[tuple[str, Any]], value: str) -> str:
    return str(dict(choices).get(str(value), value))


# --- Set status / priority ---------------------------------------------------------------


class SetStatusForm(ActionForm):
    status = forms.ChoiceField(label=gettext_lazy("Status"))

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["status"].choices = _status_choices(self.object_type)


def _set_status(ctx: ActionContext, params: dict[str, Any]) -> str:
    value = params["status"]
    if ctx.object_type == "ticket":
        from workmate.desk.services import do_change_status

        do_change_status(ctx.actor, ctx.obj, value)
    elif ctx.object_type == "task":
        from workmate.work.services import do_update_task

        do_update_task(ctx.actor, ctx.obj, {"status": value})
    else:
        raise ActionError(_("This action works on tasks and tickets."))
    return _describe_status(ctx, params, done=True)


def _describe_status(ctx: ActionContext, params: dict[str, Any], done: bool = False) -> str:
    label = _label(_status_choices(ctx.object_type), params["status"])
    if done:
        return _("Status set to %(value)s.") % {"value": label}
    return _("Would set the status to %(value)s.") % {"value": label}


class SetPriorityForm(ActionForm):
    priority = forms.ChoiceField(label=gettext_lazy("Priority"))

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["priority"].choices = _priority_choices(self.object_type)


def _set_priority(ctx: ActionContext, params: dict[str, Any]) -> str:
    value = int(params["priority"])
    if ctx.object_type == "ticket":
        from workmate.desk.services import do_set_priority

        do_set_priority(ctx.actor, ctx.obj, value)
    elif ctx.object_type == "task":
        from workmate.work.services import do_update_task

        do_update_task(ctx.actor, ctx.obj, {"priority": value})
    else:
        raise ActionError(_("This action works on tasks and tickets."))
    return _describe_priority(ctx, params, done=True)


def _describe_priority(ctx: ActionContext, params: dict[str, Any], done: bool = False) -> str:
    label = _label(_priority_choices(ctx.object_type), params["priority"])
    if done:
        return _("Priority set to %(value)s.") % {"value": label}
    return _("Would set the priority to %(value)s.") % {"value": label}


# --- Assign ------------------------------------------------------------------------------


class AssignForm(ActionForm):
    person = forms.ChoiceField(label=gettext_lazy("Assign to"))

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        extra = [("", _("Nobody"))]
        if self.object_type == "ticket":
            extra.append((ON_DUTY_LEAD, _("The team lead on duty now")))
        self.fields["person"].choices = _people_choices(self, *extra)


def on_duty_lead(ticket: Any) -> User | None:
    """The ticket team's lead who is inside their working hours now (the first by name
    when several are; None when none is)."""
    from workmate.desk.agent import support_leads
    from workmate.inbox.services import profile_of

    now = timezone.now()
    leads = sorted(support_leads(ticket), key=lambda u: (u.full_name, u.pk))
    for lead in leads:
        if lead.is_active and profile_of(lead).working_hours().is_working_at(now):
            return lead
    return None


def _assignee(ctx: ActionContext, params: dict[str, Any]) -> User | None:
    value = params.get("person") or ""
    if value == ON_DUTY_LEAD:
        lead = on_duty_lead(ctx.obj)
        if lead is None:
            raise ActionError(_("No lead of the ticket's team is on duty now."))
        return lead
    if not value:
        return None
    person = User.objects.filter(pk=value, is_active=True).first()
    if person is None:
        raise ActionError(_("That person can no longer be assigned work."))
    return person


def _assign(ctx: ActionContext, params: dict[str, Any]) -> str:
    person = _assignee(ctx, params)
    if ctx.object_type == "ticket":
        from workmate.desk.services import do_assign

        do_assign(ctx.actor, ctx.obj, person)
    elif ctx.object_type == "task":
        from workmate.work.services import do_update_task

        do_update_task(ctx.actor, ctx.obj, {"assignee": person})
    else:
        raise ActionError(_("This action works on tasks and tickets."))
    if person is None:
        return _("Unassigned.")
    return _("Assigned to %(name)s.") % {"name": person.full_name}


def _describe_assign(ctx: ActionContext, params: dict[str, Any]) -> str:
    try:
        person = _assignee(ctx, params)
    except ActionError as error:
        return _("Would fail: %(error)s") % {"error": error}
    if person is None:
        return _("Would leave it unassigned.")
    return _("Would assign to %(name)s.") % {"name": person.full_name}


# --- Tags --------------------------------------------------------------------------------


class TagForm(ActionForm):
    tag = forms.CharField(label=gettext_lazy("Tag"), max_length=50)

    def clean_tag(self) -> str:
        tag = self.cleaned_data["tag"].strip().lstrip("#")
        if not tag:
            raise ValidationError(_("Name the tag."))
        return tag


def _tags(ctx: ActionContext, params: dict[str, Any], add: bool) -> str:
    from workmate.work.services import do_update_task

    tag = ctx.fill(params["tag"])
    names = [t.name for t in ctx.obj.tags.all()]
    if add and tag not in names:
        names.append(tag)
    elif not add:
        names = [n for n in names if n != tag]
    do_update_task(ctx.actor, ctx.obj, {}, tags=names)
    return (_("Tag %(tag)s added.") if add else _("Tag %(tag)s removed.")) % {"tag": tag}


def _describe_tags(ctx: ActionContext, params: dict[str, Any], add: bool) -> str:
    tag = ctx.fill(params["tag"])
    if add:
        return _("Would add the tag %(tag)s.") % {"tag": tag}
    return _("Would remove the tag %(tag)s.") % {"tag": tag}


# --- Comments and notes ------------------------------------------------------------------


class CommentForm(ActionForm):
    body = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=gettext_lazy("Placeholders such as {{task.title}} or {{ticket.number}}."),
    )


def _comment(ctx: ActionContext, params: dict[str, Any]) -> str:
    body = ctx.fill(params["body"])
    if ctx.object_type == "ticket":
        from workmate.desk.services import do_reply

        do_reply(ctx.actor, ctx.obj, body, internal=True)
        return _("Internal note added.")
    if ctx.object_type == "task":
        from workmate.work.services import do_add_comment

        do_add_comment(ctx.actor, ctx.obj, body)
        return _("Comment added.")
    raise ActionError(_("This action works on tasks and tickets."))


def _describe_comment(ctx: ActionContext, params: dict[str, Any]) -> str:
    what = _("an internal note") if ctx.object_type == "ticket" else _("a comment")
    return _("Would add %(what)s: %(text)s") % {"what": what, "text": ctx.fill(params["body"])}


# --- Create a task (with subtasks, or from a checklist template) -------------------------


class CreateTaskForm(ActionForm):
    project = forms.TypedChoiceField(label=gettext_lazy("Project"), coerce=int, required=False)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    subtasks = forms.CharField(
        label=gettext_lazy("Subtasks, one a line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    under_this_task = forms.BooleanField(
        label=gettext_lazy("As a subtask of the task the rule runs on"), required=False
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        from workmate.work.models import Project

        projects = Project.objects.none()
        if self.user is not None:
            projects = Project.objects.visible_to(self.user).filter(archived_at__isnull=True)
        blank = [("", _("The task's own project"))] if self.object_type == "task" else []
        self.fields["project"].choices = blank + [(p.pk, p.name) for p in projects[:300]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.object_type != "task" and not data.get("project"):
            self.add_error("project", _("Choose the project the task goes to."))
        if data.get("under_this_task") and self.object_type != "task":
            self.add_error("under_this_task", _("Only a rule on tasks can add subtasks."))
        return data


def _target_project(ctx: ActionContext, params: dict[str, Any]) -> Any:
    from workmate.work.models import Project

    if params.get("project"):
        project = Project.objects.filter(pk=params["project"]).first()
        if project is None:
            raise ActionError(_("The project is gone."))
        return project
    if ctx.object_type == "task":
        return ctx.obj.project
    raise ActionError(_("Choose the project the task goes to."))


def _create_task(ctx: ActionContext, params: dict[str, Any]) -> str:
    from workmate.work.services import do_create_task

    project = _target_project(ctx, params)
    extra: dict[str, Any] = {"description": ctx.fill(params.get("description") or "")}
    if params.get("under_this_task"):
        extra["parent"] = ctx.obj
    task = do_create_task(ctx.actor, project, title=ctx.fill(params["title"])[:300], **extra)
    lines = [ln.strip() for ln in (params.get("subtasks") or "").splitlines() if ln.strip()]
    for line in lines[:50]:
        do_create_task(ctx.actor, project, title=ctx.fill(line)[:300], parent=task)
    return _("Task “%(title)s” created in %(project)s with %(count)s subtasks.") % {
        "title": task.title,
        "project": project.name,
        "count": len(lines),
    }


def _describe_create_task(ctx: ActionContext, params: dict[str, Any]) -> str:
    try:
        project = _target_project(ctx, params)
    except ActionError as error:
        return _("Would fail: %(error)s") % {"error": error}
    lines = [ln for ln in (params.get("subtasks") or "").splitlines() if ln.strip()]
    return _("Would create the task “%(title)s” in %(project)s with %(count)s subtasks.") % {
        "title": ctx.fill(params["title"]),
        "project": project.name,
        "count": len(lines),
    }


class ChecklistForm(ActionForm):
    template = forms.TypedChoiceField(label=gettext_lazy("Checklist template"), coerce=int)
    project = forms.TypedChoiceField(label=gettext_lazy("Project"), coerce=int, required=False)
    title = forms.CharField(
        label=gettext_lazy("New task's title"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Empty: the checklist goes under the task the rule runs on."),
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        from workmate.work.models import Project
        from workmate.work.templating import templates_for

        templates = templates_for(self.user).filter(is_checklist=True) if self.user else []
        self.fields["template"].choices = [(t.pk, t.name) for t in templates]
        projects = Project.objects.none()
        if self.user is not None:
            projects = Project.objects.visible_to(self.user).filter(archived_at__isnull=True)
        blank = [("", _("The task's own project"))] if self.object_type == "task" else []
        self.fields["project"].choices = blank + [(p.pk, p.name) for p in projects[:300]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.object_type != "task" and not (data.get("title") and data.get("project")):
            self.add_error("title", _("Give the new task a title and a project."))
        return data


def _checklist(ctx: ActionContext, params: dict[str, Any]) -> str:
    from workmate.work.models import ProjectTemplate
    from workmate.work.services import do_create_task
    from workmate.work.templating import do_apply_checklist

    template = ProjectTemplate.objects.filter(pk=params["template"]).first()
    if template is None:
        raise ActionError(_("The template is gone."))
    if params.get("title"):
        project = _target_project(ctx, params)
        task = do_create_task(ctx.actor, project, title=ctx.fill(params["title"])[:300])
    elif ctx.object_type == "task":
        task = ctx.obj
    else:
        raise ActionError(_("Give the new task a title and a project."))
    created = do_apply_checklist(ctx.actor, template, task)
    return _("Checklist “%(name)s” added to “%(title)s” (%(count)s tasks).") % {
        "name": template.name,
        "title": task.title,
        "count": len(created),
    }


def _describe_checklist(ctx: ActionContext, params: dict[str, Any]) -> str:
    from workmate.work.models import ProjectTemplate

    template = ProjectTemplate.objects.filter(pk=params["template"]).first()
    name = template.name if template else "?"
    title = ctx.fill(params.get("title") or "") or getattr(ctx.obj, "title", "")
    return _("Would add the checklist “%(name)s” to “%(title)s”.") % {"name": name, "title": title}


# --- Notify ------------------------------------------------------------------------------


class NotifyForm(ActionForm):
    people = forms.MultipleChoiceField(label=gettext_lazy("Tell"), required=False)
    message = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=300,
        help_text=gettext_lazy("Placeholders such as {{task.title}} or {{ticket.number}}."),
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["people"].choices = _people_choices(self, (ASSIGNEE, _("The assignee")))

    def clean_people(self) -> list[str]:
        people = self.cleaned_data["people"]
        if not people:
            raise ValidationError(_("Choose whom to tell."))
        return people


def _recipients(ctx: ActionContext, params: dict[str, Any]) -> list[User]:
    ids = [p for p in params.get("people", []) if p != ASSIGNEE]
    people = list(User.objects.filter(pk__in=ids, is_active=True))
    if ASSIGNEE in params.get("people", []) and getattr(ctx.obj, "assignee_id", None):
        people.append(ctx.obj.assignee)
    return people


def _group_key(ctx: ActionContext) -> str:
    if ctx.object_type == "request":
        return f"task:{ctx.obj.task_id}"
    return f"{ctx.object_type}:{ctx.obj.pk}"


def _url(ctx: ActionContext) -> str:
    if ctx.object_type == "request":
        return ctx.obj.task.get_absolute_url()
    return ctx.obj.get_absolute_url()


def _notify(ctx: ActionContext, params: dict[str, Any]) -> str:
    from workmate.inbox.models import Kind
    from workmate.inbox.services import notify

    people = _recipients(ctx, params)
    # The owner is the actor: they are told too when they chose themselves.
    written = notify(
        people,
        Kind.AUTOMATION,
        title=ctx.fill(params["message"])[:300],
        url=_url(ctx),
        group_key=_group_key(ctx),
        task=ctx.obj if ctx.object_type == "task" else None,
    )
    return _("Told %(count)s people.") % {"count": len(written)}


def _describe_notify(ctx: ActionContext, params: dict[str, Any]) -> str:
    names = ", ".join(p.full_name for p in _recipients(ctx, params)) or _("nobody")
    return _("Would tell %(names)s: %(message)s") % {
        "names": names,
        "message": ctx.fill(params["message"]),
    }


def register_builtin() -> None:
    both = ("task", "ticket")
    register_action(
        "set_status",
        gettext_lazy("Set the status"),
        SetStatusForm,
        _set_status,
        _describe_status,
        object_types=both,
    )
    register_action(
        "set_priority",
        gettext_lazy("Set the priority"),
        SetPriorityForm,
        _set_priority,
        _describe_priority,
        object_types=both,
    )
    register_action(
        "assign",
        gettext_lazy("Assign"),
        AssignForm,
        _assign,
        _describe_assign,
        object_types=both,
    )
    register_action(
        "add_tag",
        gettext_lazy("Add a tag"),
        TagForm,
        lambda c, p: _tags(c, p, True),
        lambda c, p: _describe_tags(c, p, True),
        object_types=("task",),
    )
    register_action(
        "remove_tag",
        gettext_lazy("Remove a tag"),
        TagForm,
        lambda c, p: _tags(c, p, False),
        lambda c, p: _describe_tags(c, p, False),
        object_types=("task",),
    )
    register_action(
        "comment",
        gettext_lazy("Add a comment (an internal note on tickets)"),
        CommentForm,
        _comment,
        _describe_comment,
        object_types=both,
    )
    register_action(
        "create_task",
        gettext_lazy("Create a task (with subtasks)"),
        CreateTaskForm,
        _create_task,
        _describe_create_task,
    )
    register_action(
        "apply_checklist",
        gettext_lazy("Create tasks from a checklist template"),
        ChecklistForm,
        _checklist,
        _describe_checklist,
    )
    register_action(
        "notify",
        gettext_lazy("Tell people in their inbox"),
        NotifyForm,
        _notify,
        _describe_notify,
    )
