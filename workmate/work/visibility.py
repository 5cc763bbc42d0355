"""Who may see which task, for many people at once (the inbox's notification rule)."""

from __future__ import annotations

from collections.abc import Collection

from workmate.accounts.models import Membership, User
from workmate.work.models import ProjectMember, Task, Visibility


def visible_tasks(pairs: Collection[tuple[User, int]]) -> set[tuple[int, int]]:
    """Of (person, task id) pairs, those where the person may see the task, as ids.

    The rule of `models._may_see_project`, read for all pairs in three queries (the
    tasks' projects, the people's project roles, their teams) rather than one query a
    person, so the inbox list and the digests keep a fixed query count.
    """
    if not pairs:
        return set()
    people = {person.pk for person, _task in pairs}
    tasks = Task.objects.filter(pk__in={task for _person, task in pairs})
    projects = {
        pk: rest
        for pk, *rest in tasks.values_list(
            "pk", "project_id", "project__visibility", "project__owner_id", "project__team_id"
        )
    }
    roles = set(
        ProjectMember.objects.filter(
            user_id__in=people, project_id__in={p[0] for p in projects.values()}
        ).values_list("user_id", "project_id")
    )
    teams = set(Membership.objects.filter(user_id__in=people).values_list("user_id", "team_id"))
    seen = set()
    for person, task_id in pairs:
        if task_id not in projects:
            continue
        project_id, visibility, owner_id, team_id = projects[task_id]
        if (
            visibility == Visibility.ORG
            or owner_id == person.pk
            or (person.pk, project_id) in roles
            or (visibility == Visibility.TEAM and (person.pk, team_id) in teams)
        ):
            seen.add((person.pk, task_id))
    return seen
