"""Availability in context: beside a person picker, where the picked person is today.

Work's assignee selects ask this with htmx when the choice changes: the person's work mode
today, whether they are in working hours now (and until or from when, in the viewer's
zone), and the reply-by that assigning them now would give.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from workmate.accounts import services
from workmate.accounts.models import User
from workmate.work import services as work_services


def _picked_person_id(query: QueryDict) -> str:
    """The person's id from `?person=`, or from the assignee select that sent its own value.

    A select sends its own name: `assignee`, or `<prefix>-assignee` in prefixed forms.
    """
    for key, value in query.items():
        if key in ("person", "assignee") or key.endswith("-assignee"):
            return value.strip()
    return ""


@login_required
@require_safe
def person_availability(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The availability hint for one person, optionally for assigning in `?project=`.

    Directory information: anyone signed in may see it for any active person. A project
    the viewer cannot see is 404, like everywhere else.
    """
    picked = str(pk) if pk is not None else _picked_person_id(request.GET)
    if not picked:
        # "Nobody" was picked: the hint empties.
        return HttpResponse("")
    if not picked.isdigit():
        raise Http404("No such person.")
    person = get_object_or_404(
        User.objects.filter(is_active=True).select_related("profile"), pk=int(picked)
    )
    project = None
    project_id = request.GET.get("project", "")
    if project_id:
        if not project_id.isdigit():
            raise Http404("No such project.")
        project = work_services.get_project_for_user(request.user, int(project_id))
    now = timezone.now()
    (row,) = services.availability_for_people([person], now)
    is_me = person.pk == request.user.pk
    # Assigning someone else sends them a request; assigning yourself sends none.
    reply_by = None if is_me else work_services.reply_by_for(person, now, project)
    context = {
        "row": row,
        "is_me": is_me,
        "reply_by": reply_by,
        "project": project,
        "other_zone": person.profile.time_zone != timezone.get_current_timezone_name(),
    }
    return render(request, "accounts/partials/_availability_hint.html", context)
