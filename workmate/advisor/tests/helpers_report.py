"""Workloads as the assessment engine leaves them, for the report tests (which test the
report, not the sizing: the engine's own tests cover that)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from workmate.advisor.models import Readiness, SizingBasis, Verdict
from workmate.testing.factories import make_workload


def computed(assessment, vm_name: str, **overrides: Any):
    fields: dict[str, Any] = {
        "assessment": assessment,
        "vm_name": vm_name,
        "readiness": Readiness.READY,
        "os_family": "linux",
        "verdict": Verdict.REHOST,
        "sizing_basis": SizingBasis.PERFORMANCE,
        "instance_type": "m7i.large",
        "region": "ap-northeast-2",
        "storage_gb": Decimal("20.00"),
        "monthly_compute_usd": Decimal("90.00"),
        "monthly_on_demand_usd": Decimal("90.00"),
        "monthly_reserved_usd": Decimal("60.00"),
        "monthly_storage_usd": Decimal("1.83"),
        "confidence": "high",
        "fired_rules": ["R08-rehost"],
        "perf_days": 30,
    }
    fields.update(overrides)
    return make_workload(**fields)
