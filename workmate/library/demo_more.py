"""Demo links, page templates and comments for `manage.py seed_demo`, on top of the
library's demo spaces (`library.demo`): a versioned incident-report template with a page
made from it, pages and a task that link to the deploy runbook, and a comment thread with
a mention and a resolved one. Created once: skipped when the template is already there.
"""

from __future__ import annotations

from workmate.accounts.models import User
from workmate.library import comments, page_templates, services
from workmate.library.models import Page, PageTemplate, Space
from workmate.work import services as work_services
from workmate.work.models import Task

REPORT_V1 = """# {{title}}

- 고객사: {{customer}}
- 작성: {{author}}, {{date}} {{time}}

## 영향

## 원인
"""

REPORT_V2 = (
    REPORT_V1
    + """
## 재발 방지

관련 런북: [[배포 절차]]
"""
)


def seed_library_more_demo(people: dict[str, User]) -> None:
    te = Space.objects.filter(key__iexact="TE").first()
    if te is None or PageTemplate.objects.filter(space=te).exists():
        return
    minjun, seoyeon, daniel = people["minjun.kim"], people["seoyeon.lee"], people["daniel.cho"]
    template = page_templates.do_create_template(
        minjun, te, name="장애 보고서", body=REPORT_V1, description="P1/P2 장애 뒤 5영업일 안에"
    )
    page_templates.do_update_template(
        minjun, template, name=template.name, body=REPORT_V2, summary="재발 방지 항목 추가"
    )
    deploy = Page.objects.filter(space=te, title="배포 절차").first()
    parent = deploy.parent if deploy is not None else None
    page_templates.do_create_page_from_template(
        daniel,
        te,
        template,
        title="API 지연 장애 {{date}}",
        parent=parent,
        customer_name="한빛은행",
    )
    if deploy is None:
        return
    services.do_create_page(
        seoyeon,
        te,
        title="금요일 배포 예외 승인",
        parent=parent,
        body="예외 승인 전에 [[배포 절차]]의 롤백 단계를 확인합니다.",
    )
    task = Task.objects.filter(project__team=te.team).order_by("pk").first()
    if task is not None:
        work_services.do_add_comment(
            seoyeon, task, f"배포 전에 런북을 따라 주세요: /library/pages/{deploy.pk}/"
        )
    thread = comments.do_comment(
        daniel,
        deploy,
        f"카나리 단계 대시보드 이름이 바뀌었어요 @**{seoyeon.full_name}|{seoyeon.pk}**",
    )
    comments.do_comment(seoyeon, deploy, "고칠게요. 다음 개정에 반영합니다.", parent=thread)
    done = comments.do_comment(minjun, deploy, "롤백 명령에 네임스페이스를 넣어 주세요.")
    comments.do_set_resolved(seoyeon, done, True)
