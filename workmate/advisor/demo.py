"""Demo assessments for `manage.py seed_demo` (issue 14 point 11): a bank, a city hall and
an online market, each with a realistic inventory imported through the advisor's own
import (Workmate's CSV template, one refused row in the bank's), computed against the
shipped Seoul price list, with an architect's override; the bank's report is published
to its portal, so its contacts can read it.

Assessments are found by customer and name: running the seed again leaves them as they
are (an architect may have changed them since).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile

from workmate.accounts.models import User
from workmate.advisor import prices, publishing, samples, services
from workmate.advisor.models import (
    Assessment,
    ImportFile,
    ImportFormat,
    ImportRun,
    ImportStatus,
    PriceSnapshot,
)
from workmate.desk.models import Customer

WIN2019 = "Microsoft Windows Server 2019 (64-bit)"
WIN2008 = "Microsoft Windows Server 2008 R2 (64-bit)"
RHEL8 = "Red Hat Enterprise Linux 8 (64-bit)"
UBUNTU = "Ubuntu Linux (64-bit)"
CENTOS6 = "CentOS 6 (32-bit)"


@dataclass(frozen=True)
class Group:
    """`count` VMs named `prefix`01.. with the same profile."""

    prefix: str
    count: int
    cpus: int
    memory_gib: int
    disk_gib: int
    os: str
    values: dict[str, Any] = field(default_factory=dict)
    # (p95 CPU, p95 memory, average CPU, average memory) in %, days of data; None: no data.
    usage: tuple[int, int, int, int, int] | None = (45, 60, 18, 40, 30)


@dataclass(frozen=True)
class DemoAssessment:
    customer: str
    name: str
    vcenter: str
    groups: list[Group]
    override: tuple[str, dict[str, str]] | None = None
    publish: bool = False
    notes: str = ""


BANK = DemoAssessment(
    "한빛은행",
    "2026 데이터센터 이전 1단계",
    "vc-hanbit-01",
    [
        Group(
            "cbk-db",
            2,
            16,
            128,
            2000,
            RHEL8,
            {
                "db_engine": "oracle",
                "license": "byol",
                "data_classes": ["credit", "unique_id"],
                "business_value": "high",
                "dr_region": "ap-northeast-1",
            },
        ),
        Group(
            "ibk-web",
            4,
            4,
            16,
            80,
            RHEL8,
            {"data_classes": ["personal", "credit"], "business_value": "high"},
        ),
        Group(
            "card-auth",
            2,
            8,
            32,
            200,
            RHEL8,
            {"data_classes": ["credit"], "business_value": "high", "target_region": "us-east-1"},
        ),
        Group(
            "batch-eod",
            2,
            8,
            32,
            500,
            WIN2019,
            {"business_value": "high"},
            usage=(85, 70, 30, 50, 30),
        ),
        Group(
            "rpt-legacy", 2, 4, 16, 300, WIN2008, {"business_value": "low"}, usage=(4, 8, 2, 3, 120)
        ),
        Group("hr-portal", 1, 2, 8, 60, WIN2019, {"data_classes": ["personal"]}, usage=None),
        Group(
            "dev-ibk",
            3,
            2,
            8,
            60,
            UBUNTU,
            {"environment": "dev", "business_value": "low"},
            usage=(20, 35, 5, 20, 14),
        ),
        Group("tmpl-rhel8", 1, 2, 4, 40, RHEL8, {"is_template": True}, usage=None),
    ],
    override=(
        "card-auth01",
        {
            "verdict": "retain",
            "reason": (
                "카드 승인계는 2027년 차세대 전환 때까지 온프레미스에 둡니다 (고객 IT 기획팀 결정)."
            ),
        },
    ),
    publish=True,
    notes="RVTools 2026-11 export; utilisation from vROps, 30 days.",
)

CITY = DemoAssessment(
    "한결시청",
    "행정 시스템 클라우드 전환 검토",
    "vc-hangyeol",
    [
        Group(
            "minwon-web",
            3,
            4,
            16,
            100,
            RHEL8,
            {"csap_tier": "medium", "data_classes": ["personal"], "business_value": "high"},
        ),
        Group(
            "haengjeong-db",
            2,
            16,
            64,
            1500,
            RHEL8,
            {
                "csap_tier": "high",
                "db_engine": "tibero",
                "data_classes": ["unique_id"],
                "business_value": "high",
            },
        ),
        Group(
            "opendata", 2, 2, 8, 400, UBUNTU, {"csap_tier": "low", "data_classes": ["public_only"]}
        ),
        Group("gis", 1, 8, 32, 800, WIN2019, {"business_value": "high"}, usage=None),
        Group("old-board", 1, 1, 2, 20, CENTOS6, {"business_value": "none"}, usage=None),
        Group(
            "dev-minwon",
            2,
            2,
            4,
            40,
            UBUNTU,
            {"environment": "dev", "csap_tier": "medium"},
            usage=(15, 40, 4, 25, 10),
        ),
    ],
    override=(
        "gis01",
        {"instance_type": "r6i.2xlarge", "reason": "GIS 타일 캐시가 메모리를 많이 씁니다."},
    ),
)

MARKET = DemoAssessment(
    "마루마켓",
    "이커머스 플랫폼 AWS 이전",
    "vc-maru",
    [
        Group(
            "shop-web", 6, 4, 8, 60, UBUNTU, {"business_value": "high"}, usage=(65, 55, 25, 45, 30)
        ),
        Group(
            "order-db",
            2,
            8,
            64,
            900,
            RHEL8,
            {
                "db_engine": "mysql",
                "data_classes": ["personal"],
                "business_value": "high",
                "dr_region": "us-west-2",
            },
        ),
        Group("search", 3, 8, 32, 300, UBUNTU, {"business_value": "high"}),
        Group(
            "pay-gw",
            2,
            4,
            8,
            50,
            RHEL8,
            {"data_classes": ["personal", "credit"], "business_value": "high"},
        ),
        Group(
            "reco-batch",
            2,
            16,
            64,
            200,
            UBUNTU,
            {"business_value": "low"},
            usage=(90, 80, 12, 30, 45),
        ),
        Group("erp-win", 1, 4, 16, 250, WIN2019, {"license": "byol"}, usage=None),
        Group("stage-shop", 2, 2, 4, 40, UBUNTU, {"environment": "dev"}, usage=(10, 30, 3, 15, 20)),
        Group("legacy-cms", 1, 2, 4, 80, WIN2008, {"powerstate": "off"}, usage=None),
    ],
    override=(
        "search01",
        {"verdict": "repurchase", "reason": "Amazon OpenSearch Service로 바꾸기로 했습니다."},
    ),
)

DEMOS = [BANK, CITY, MARKET]


def machines(demo: DemoAssessment) -> list[dict[str, Any]]:
    """The demo's VMs as dicts with the template's field names (samples.template_csv)."""
    rng = random.Random(demo.name)
    out = []
    for group in demo.groups:
        for number in range(1, group.count + 1):
            in_use = group.disk_gib * 1024 * rng.randint(55, 85) // 100
            machine: dict[str, Any] = {
                "vm_name": f"{group.prefix}{number:02d}",
                "vcenter": demo.vcenter,
                "powerstate": "on",
                "cpus": group.cpus,
                "memory_mib": group.memory_gib * 1024,
                "provisioned_mib": group.disk_gib * 1024,
                "in_use_mib": in_use,
                "os": group.os,
                "environment": "prod",
            }
            if group.usage is not None:
                p95_cpu, p95_mem, avg_cpu, avg_mem, days = group.usage
                jitter = rng.randint(-5, 5)
                machine.update(
                    cpu_p95_pct=max(1, p95_cpu + jitter),
                    mem_p95_pct=max(1, p95_mem + jitter),
                    cpu_avg_pct=max(1, avg_cpu + jitter // 2) if avg_cpu > 5 else avg_cpu,
                    mem_avg_pct=max(1, avg_mem + jitter // 2) if avg_mem > 5 else avg_mem,
                    perf_days=days,
                )
            machine.update(group.values)
            out.append(machine)
    return out


def _import(assessment: Assessment, architect: User, demo: DemoAssessment) -> None:
    rows = machines(demo)
    if demo is BANK:
        # One row the import refuses, so the report shows a data-quality warning.
        rows.append({"vm_name": "ibk-web99", "vcenter": demo.vcenter, "cpus": "four",
                     "memory_mib": 8192})  # fmt: skip
    data = samples.template_csv(rows)
    run = ImportRun.objects.create(
        assessment=assessment,
        created_by=architect,
        format=ImportFormat.TEMPLATE_CSV,
        status=ImportStatus.APPLYING,
        phase="queued",
    )
    name = f"{demo.vcenter}-inventory.csv"
    ImportFile.objects.create(run=run, file=ContentFile(data, name=name), name=name, size=len(data))
    services.run_apply(run.pk)


def seed_advisor_demo(people: dict[str, User]) -> None:
    if not PriceSnapshot.objects.filter(region="ap-northeast-2").exists():
        prices.load_snapshot()
    for demo in DEMOS:
        customer = Customer.objects.filter(name=demo.customer).first()
        if customer is None:
            continue
        architect = customer.le_architect or people["doyun.kang"]
        assessment = Assessment.objects.filter(customer=customer, name=demo.name).first()
        if assessment is not None:
            continue
        assessment = services.do_create_assessment(architect, customer, demo.name, notes=demo.notes)
        _import(assessment, architect, demo)
        if demo.override:
            vm_name, values = demo.override
            workload = assessment.workloads.get(vm_name=vm_name)
            services.do_override(architect, workload, **values)
        if demo.publish:
            publishing.do_publish(architect, assessment)
