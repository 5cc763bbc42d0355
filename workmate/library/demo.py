"""Demo library for `manage.py seed_demo`: team spaces for TE and NBD, an org-wide
handbook and a private space for the leads, with Korean and English runbooks, several
revisions, a verified page, pages needing review and a draft waiting for approval.

Created once: a space is found by its key and, when it exists, left as it is, so running
the command again adds nothing.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from workmate.accounts.models import Team, User
from workmate.library import services
from workmate.library.models import Page, Space, SpaceKind, SpaceMembership, SpaceRole

DEPLOY_KO = """# 배포 절차

운영 환경 배포는 **평일 업무 시간**에만 합니다. 금요일 오후 배포는 하지 않습니다.

## 준비

- 변경 요청(CR) 승인 확인
- 고객사 점검 공지 발송 (최소 2영업일 전)
- `kubectl config current-context` 로 대상 클러스터 확인

## 배포

1. 카나리 배포: `kubectl rollout restart deploy/api -n prod`
2. 5분간 오류율 확인 (CloudWatch 대시보드 *API 5xx*)
3. 이상 없으면 전체 배포

## 롤백

```
kubectl rollout undo deploy/api -n prod
```

롤백 후 고객사에 결과를 공유합니다.
"""

INCIDENT_EN = """# Incident response (P1)

## First 15 minutes

- Acknowledge the page and open an incident channel.
- Name an incident lead and a scribe.
- Tell the customer's LE/SE within 15 minutes.

## Diagnose

- Check the status pages of the cloud provider.
- Compare error rates before and after the last deployment.

## Afterwards

Write the post-incident review within 3 working days.
"""

RDS_KO = """# RDS 스토리지 자동 확장 점검

## 확인할 것

- `FreeStorageSpace` 경보가 20% 미만에서 울리는지
- 자동 확장 최대 한도(`MaxAllocatedStorage`) 설정 여부

## 고객 안내 문구

> 스토리지 자동 확장이 설정되어 있어 용량 부족으로 인한 중단 위험은 낮습니다.
"""

POC_TEMPLATE_KO = """# PoC 진행 방법

## 가설

우리는 …이(가) …할 것이라고 믿는다. …로 측정한다.

## 성공 기준

| 기준 | 목표 | 결과 |
| --- | --- | --- |
| 비용 절감 | 20% | |
| 배포 시간 | 10분 이내 | |

## 기간

2주 안에 끝냅니다.
"""

VENDOR_EN = """# New vendor review checklist

- Contract date and account manager recorded
- Data residency (Korea region?) confirmed
- Security questionnaire received
- Decide: PoC or not, within 10 working days
"""

HANDBOOK_KO = """# 원격 근무 안내

- 핵심 협업 시간은 10:00–16:00 입니다.
- 급한 일이 아니면 메시지는 업무 시간에만 보냅니다.
- 워케이션은 최소 1주 전에 프로필에 등록합니다.
"""

LEADS_KO = """# 분기 목표 초안

비공개: 팀장 모임에서만 봅니다.

- TE: 야간 P1 대응 시간 30분 → 15분
- NBD: 신규 클라우드 서비스 PoC 3건
"""


def _space(key: str, **fields: object) -> tuple[Space, bool]:
    space = Space.objects.filter(key__iexact=key).first()
    if space is not None:
        return space, False
    return Space.objects.create(key=key, **fields), True


def _page(author: User, space: Space, title: str, body: str, **extra: object) -> Page:
    return services.do_create_page(
        author, space, title=title, body=body, check_rights=False, **extra
    )


@transaction.atomic
def seed_library_demo(people: dict[str, User]) -> None:
    minjun, seoyeon, daniel = people["minjun.kim"], people["seoyeon.lee"], people["daniel.cho"]
    seojun, harin = people["seojun.moon"], people["harin.jang"]
    cto, yerin = people["cto"], people["yerin.han"]
    teams = {team.code: team for team in Team.objects.filter(code__in=["TE", "NBD"])}
    now = timezone.now()

    te, created = _space(
        "TE",
        name="TE 런북",
        kind=SpaceKind.TEAM,
        team=teams["TE"],
        description="기술지원팀의 운영 절차와 장애 대응 문서.",
        created_by=minjun,
    )
    if created:
        ops = _page(minjun, te, "운영", "# 운영\n\n운영 절차 모음입니다.", summary="처음 작성")
        deploy = _page(
            seoyeon,
            te,
            "배포 절차",
            DEPLOY_KO.replace("## 롤백", "## 되돌리기"),
            parent=ops,
            summary="초안",
            tags=["런북", "배포"],
        )
        services.do_save_page(
            seoyeon,
            deploy,
            base_number=1,
            title="배포 절차",
            body=DEPLOY_KO,
            summary="롤백 절차 이름 정리",
        )
        services.do_verify_page(seoyeon, deploy, now=now - datetime.timedelta(days=20))
        incident = _page(
            minjun,
            te,
            "Incident response (P1)",
            INCIDENT_EN,
            parent=ops,
            summary="First version",
            tags=["runbook", "incident"],
        )
        services.do_verify_page(minjun, incident, now=now - datetime.timedelta(days=100))
        # Verified 100 days ago for 90: the daily task turns it to "needs review".
        services.expire_reviews()
        rds = _page(daniel, te, "RDS 스토리지 자동 확장 점검", RDS_KO, tags=["런북", "AWS"])
        services.do_verify_page(daniel, rds)
        # Seoyeon adds a line to Daniel's page: it needs his review again.
        services.do_save_page(
            seoyeon,
            rds,
            base_number=1,
            title=rds.title,
            body=RDS_KO + "\n- 경보 수신자에 야간 당번 포함\n",
            summary="야간 당번 추가",
        )

    nbd, created = _space(
        "NBD",
        name="NBD 파이프라인",
        kind=SpaceKind.TEAM,
        team=teams["NBD"],
        description="PoC 방법, 신규 벤더 검토, 결정 기록.",
        requires_approval=True,
        created_by=seojun,
    )
    if created:
        how = _page(seojun, nbd, "PoC 진행 방법", POC_TEMPLATE_KO, tags=["PoC"])
        services.do_verify_page(seojun, how)
        vendor = _page(seojun, nbd, "New vendor review checklist", VENDOR_EN, tags=["vendor"])
        # Harin is not an editor of NBD's space: her edit waits for Seojun's approval.
        services.do_save_page(
            harin,
            vendor,
            base_number=1,
            title=vendor.title,
            body=VENDOR_EN + "- Check the vendor's Korean support hours\n",
            summary="Korean support hours",
        )

    handbook, created = _space(
        "handbook",
        name="회사 핸드북",
        kind=SpaceKind.ORG,
        description="모두가 읽고 고치는 전사 안내서.",
        created_by=cto,
    )
    if created:
        SpaceMembership.objects.create(space=handbook, user=cto, role=SpaceRole.EDITOR)
        remote = _page(cto, handbook, "원격 근무 안내", HANDBOOK_KO, tags=["근무"])
        services.do_verify_page(cto, remote)
        _page(yerin, handbook, "Onboarding for architects", "# First week\n\n- Meet your SE pair\n")

    leads, created = _space(
        "leads",
        name="팀장 모임",
        kind=SpaceKind.PRIVATE,
        description="팀장만 보는 비공개 공간.",
        created_by=minjun,
    )
    if created:
        SpaceMembership.objects.create(space=leads, user=minjun, role=SpaceRole.EDITOR)
        SpaceMembership.objects.create(space=leads, user=seojun, role=SpaceRole.EDITOR)
        _page(minjun, leads, "분기 목표 초안", LEADS_KO)
