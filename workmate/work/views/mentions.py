"""The @mention autocomplete: people whose name or e-mail handle starts what was typed.

Only active colleagues are offered (customers' contacts are not users and never appear),
and for a task or project only the people who can see it: a mention of anyone else is
refused when the comment is saved (`services.check_mentions_can_see`).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from workmate.accounts.models import Membership, User
from workmate.lib.mentions import canonical, handle_of
from workmate.work import services
from workmate.work.forms import people_who_can_see

SUGGESTION_LIMIT = 8


def _id(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise Http404(f"No such {name}.")
    return int(value)


@login_required
@require_safe
def mention_people(request: HttpRequest) -> HttpResponse:
    """The options for `?q=` (what follows the `@`), for `?task=` or `?project=`, or
    `?agents=1` for the desk's internal notes (people in a team, as `desk.is_agent`)."""
    query = " ".join(request.GET.get("q", "").split())[:60]
    people = User.objects.filter(is_active=True)
    if (task_id := _id(request, "task")) is not None:
        task = services.get_task_for_user(request.user, task_id)
        people = people_who_can_see(task.project)
    elif (project_id := _id(request, "project")) is not None:
        people = people_who_can_see(services.get_project_for_user(request.user, project_id))
    elif request.GET.get("agents") == "1":
        people = people.filter(
            Q(is_superuser=True) | Q(pk__in=Membership.objects.values("user_id"))
        )
    if query:
        people = people.filter(Q(full_name__icontains=query) | Q(email__istartswith=query))
    found = list(people.only("pk", "full_name", "email").order_by("full_name", "pk")[:50])
    lowered = query.lower()
    # Names that start with what was typed first, then the rest, each alphabetically.
    found.sort(key=lambda person: not person.full_name.lower().startswith(lowered))
    options = [
        {
            "person": person,
            "handle": handle_of(person),
            "insert": canonical(person),
            "is_me": person.pk == request.user.pk,
        }
        for person in found[:SUGGESTION_LIMIT]
    ]
    return render(
        request, "work/partials/_mention_options.html", {"options": options, "query": query}
    )
