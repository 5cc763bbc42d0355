"""Demo rules for `manage.py seed_demo`: a desk rule, a project rule and a time rule.

Created once (by name) through the services, as a lead would write them in the editor.
"""

from __future__ import annotations

from django.conf import settings

from workmate.accounts.models import Team, User
from workmate.automation import services
from workmate.automation.models import Rule
from workmate.work.models import Project

PROJECT = "고객 문의 처리 개선"


def seed_automation_demo(people: dict[str, User]) -> int:
    """Create the demo rules that do not exist yet; return how many were created."""
    lead = people.get("minjun.kim")
    support = Team.objects.filter(code=settings.DESK_SUPPORT_TEAM).first()
    project = Project.objects.filter(name=PROJECT).select_related("owner").first()
    if lead is None or support is None:
        return 0
    rules = [
        (
            lead,
            {
                "name": "엔터프라이즈 고객의 P1 → 근무 중인 팀장에게 배정",
                "scope": "team",
                "team": support,
                "trigger": "event",
                "event_type": "ticket.created",
                "conditions": {
                    "all": [
                        {"field": "priority", "op": "is", "value": "1"},
                        {"field": "customer_tier", "op": "is", "value": "enterprise"},
                    ],
                    "any": [],
                },
                "actions": [
                    {"type": "assign", "params": {"person": "on_duty_lead"}},
                    {
                        "type": "comment",
                        "params": {
                            "body": "P1 자동 배정: {{ticket.customer}} · {{ticket.subject}}"
                        },
                    },
                ],
            },
        ),
    ]
    if project is not None:
        rules += [
            (
                project.owner,
                {
                    "name": "완료된 작업에 ‘검토 필요’ 태그",
                    "scope": "project",
                    "project": project,
                    "trigger": "event",
                    "event_type": "task.completed",
                    "conditions": {
                        "all": [{"field": "priority", "op": "gte", "value": "3"}],
                        "any": [],
                    },
                    "actions": [{"type": "add_tag", "params": {"tag": "검토 필요"}}],
                },
            ),
            (
                project.owner,
                {
                    "name": "마감 4 근무시간 전 담당자에게 알림",
                    "scope": "project",
                    "project": project,
                    "trigger": "time",
                    "deadline": "due",
                    "offset_hours": -4,
                    "actions": [
                        {
                            "type": "notify",
                            "params": {
                                "people": ["assignee"],
                                "message": "마감이 4 근무시간 남았습니다: {{task.title}}",
                            },
                        }
                    ],
                },
            ),
        ]
    created = 0
    for owner, data in rules:
        if Rule.objects.filter(name=data["name"]).exists():
            continue
        services.do_create_rule(owner, data)
        created += 1
    return created
