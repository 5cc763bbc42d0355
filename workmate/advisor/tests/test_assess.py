"""Sizing, costing and each verdict rule on small tables of VMs and prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workmate.advisor import assess, rules
from workmate.advisor.models import Workload
from workmate.testing.factories import make_price_table, make_workload

pytestmark = pytest.mark.django_db


@pytest.fixture
def table():
    return make_price_table()


def run(workload: Workload) -> Workload:
    assess.compute(workload.assessment)
    workload.refresh_from_db()
    return workload


def perf(**kw):
    """Utilisation data of 30 days."""
    values = {
        "perf_days": 30,
        "cpu_p95_pct": Decimal("50"),
        "mem_p95_pct": Decimal("50"),
        "cpu_avg_pct": Decimal("20"),
        "mem_avg_pct": Decimal("30"),
    }
    values.update(kw)
    return values


def test_performance_based_sizing_uses_p95_times_comfort(table, assessment):
    # 8 vCPU × 50 % × 1.3 = 5.2 → 6 vCPUs; 16 GiB × 50 % × 1.3 = 10.4 GiB.
    w = run(make_workload(assessment=assessment, cpus=8, memory_mib=16384, **perf()))
    assert w.sizing_basis == "performance"
    assert w.needed_vcpu == Decimal("5.20")
    assert w.needed_memory_mib == 10650
    assert w.instance_type == "m6i.2xlarge"  # m6i.xlarge has 4 vCPUs: too few
    assert w.confidence == "high"
    assert w.readiness == "ready"
    assert w.verdict == "rehost"
    assert w.fired_rules == ["R08-rehost"]


def test_comfort_factor_and_percentile_are_the_assessments(table, assessment):
    assessment.comfort_factor = Decimal("1.00")
    assessment.percentile = "avg"
    assessment.save()
    # 8 × 20 % = 1.6 → 2 vCPUs; 16 GiB × 30 % = 4.8 GiB → m6i.large (8 GiB).
    w = run(make_workload(assessment=assessment, cpus=8, memory_mib=16384, **perf()))
    assert w.needed_vcpu == Decimal("1.60")
    assert w.instance_type == "m6i.large"


def test_without_seven_days_of_data_sized_as_on_premises_with_low_confidence(table, assessment):
    w = run(make_workload(assessment=assessment, cpus=2, memory_mib=4096, **perf(perf_days=6)))
    assert w.sizing_basis == "as_on_premises"
    assert w.needed_vcpu == Decimal("2.00")
    assert w.needed_memory_mib == 4096
    assert w.confidence == "low"
    assert w.instance_type == "c6i.large"  # cheapest with 2 vCPUs and 4 GiB, not burstable
    assert "N01-no-utilisation" in w.fired_rules


def test_medium_confidence_under_30_days(table, assessment):
    w = run(make_workload(assessment=assessment, **perf(perf_days=10)))
    assert w.confidence == "medium"


def test_cost_is_hourly_times_730_plus_gp3_for_the_used_space(table, assessment):
    w = run(make_workload(assessment=assessment, cpus=2, memory_mib=4096, in_use_mib=51200))
    assert w.monthly_on_demand_usd == Decimal("73.00")  # 0.10 × 730
    assert w.monthly_reserved_usd == Decimal("43.80")  # 0.06 × 730
    assert w.monthly_compute_usd == Decimal("73.00")
    assert w.storage_gb == Decimal("50.00")
    assert w.monthly_storage_usd == Decimal("5.00")  # 50 GB × 0.10


def test_partition_consumed_wins_over_in_use(table, assessment):
    w = run(make_workload(assessment=assessment, in_use_mib=51200, partition_consumed_mib=10240))
    assert w.storage_gb == Decimal("10.00")


def test_reserved_pricing_model(table, assessment):
    assessment.pricing_model = "reserved_1y"
    assessment.save()
    w = run(make_workload(assessment=assessment, cpus=2, memory_mib=4096))
    assert w.monthly_compute_usd == Decimal("43.80")


def test_windows_licence_included_unless_byol(table, assessment):
    windows = "Microsoft Windows Server 2022 (64-bit)"
    w = run(make_workload(assessment=assessment, os_tools=windows, license="included"))
    assert w.monthly_on_demand_usd == Decimal("138.70")  # 0.19 × 730
    byol = run(make_workload(assessment=assessment, os_tools=windows, license="byol"))
    assert byol.monthly_on_demand_usd == Decimal("73.00")
    assert "windows-byol" in byol.caveats


def test_allowed_families_limit_the_choice(table, assessment):
    assessment.allowed_families = ["m6i"]
    assessment.save()
    w = run(make_workload(assessment=assessment, cpus=2, memory_mib=4096))
    assert w.instance_type == "m6i.large"


def test_burstable_only_for_development_when_allowed(table, assessment):
    dev = make_workload(assessment=assessment, environment="dev")
    prod = make_workload(assessment=assessment, environment="prod")
    assert run(dev).instance_type == "c6i.large"
    assessment.burstable_allowed = True
    assessment.save()
    assert run(dev).instance_type == "t3.medium"
    assert run(prod).instance_type == "c6i.large"


def test_too_big_for_the_catalogue_is_not_ready(table, assessment):
    w = run(make_workload(assessment=assessment, cpus=64, memory_mib=1024 * 1024))
    assert w.readiness == "not_ready"
    assert w.instance_type == ""
    assert "no-fit" in w.caveats


def test_templates_and_srm_placeholders_are_excluded(table, assessment):
    template = run(make_workload(assessment=assessment, is_template=True))
    placeholder = run(make_workload(assessment=assessment, is_srm_placeholder=True))
    for w in (template, placeholder):
        assert w.readiness == "excluded"
        assert (w.verdict, w.instance_type, w.monthly_compute_usd) == ("", "", None)


def test_unknown_os_is_not_sized_nor_priced_as_linux(table, assessment):
    w = run(make_workload(assessment=assessment, os_tools="", os_config="Other (64-bit)"))
    assert w.readiness == "unknown"
    assert (w.verdict, w.instance_type, w.monthly_compute_usd) == ("", "", None)


def test_os_from_tools_else_configuration_file(table, assessment):
    w = run(
        make_workload(
            assessment=assessment, os_tools="", os_config="Microsoft Windows Server 2019 (64-bit)"
        )
    )
    assert w.os_family == "windows"
    w = run(
        make_workload(
            assessment=assessment,
            os_tools="Ubuntu Linux (64-bit)",
            os_config="Microsoft Windows Server 2019 (64-bit)",
        )
    )
    assert w.os_family == "linux"


@pytest.mark.parametrize(
    ("os", "rule"),
    [
        ("Microsoft Windows Server 2008 R2 (64-bit)", "N02-os-end-of-life"),
        ("CentOS 7 (64-bit)", "N02-os-end-of-life"),
        ("Red Hat Enterprise Linux 9 (32-bit)", "N03-os-32bit"),
    ],
)
def test_end_of_life_or_32bit_os_is_a_caveat_and_replatform(table, assessment, os, rule):
    w = run(make_workload(assessment=assessment, os_tools=os))
    assert w.readiness == "conditional"
    assert w.verdict == "replatform"
    assert rule in w.fired_rules
    assert "R06-os-upgrade" in w.fired_rules


def test_rule_no_business_value_retires(table, assessment):
    w = run(make_workload(assessment=assessment, business_value="none", **perf()))
    assert w.verdict == "retire"
    assert w.fired_rules == ["R01-no-business-value"]


def test_blank_business_value_is_unknown_not_none(table, assessment):
    w = run(make_workload(assessment=assessment, business_value="", **perf()))
    assert w.verdict == "rehost"


def test_rule_idle_for_90_days_retires(table, assessment):
    idle = perf(perf_days=90, cpu_avg_pct=Decimal("4.9"), mem_avg_pct=Decimal("3"))
    assert run(make_workload(assessment=assessment, **idle)).fired_rules == ["R02-idle"]
    busy = perf(perf_days=90, cpu_avg_pct=Decimal("5"), mem_avg_pct=Decimal("3"))
    assert run(make_workload(assessment=assessment, **busy)).verdict == "rehost"
    short = perf(perf_days=89, cpu_avg_pct=Decimal("1"), mem_avg_pct=Decimal("1"))
    assert run(make_workload(assessment=assessment, **short)).verdict == "rehost"


def test_rule_powered_off_is_a_retire_candidate(table, assessment):
    w = run(make_workload(assessment=assessment, powerstate="off", **perf()))
    assert (w.verdict, w.fired_rules) == ("retire", ["R03-powered-off"])


def test_rule_database_engine_replatforms(table, assessment):
    w = run(make_workload(assessment=assessment, db_engine="PostgreSQL 13", **perf()))
    assert (w.verdict, w.fired_rules) == ("replatform", ["R05-database"])


def test_rule_relocate_only_when_enabled(table, assessment):
    assessment.relocate_enabled = True
    assessment.save()
    w = run(make_workload(assessment=assessment, **perf()))
    assert (w.verdict, w.fired_rules) == ("relocate", ["R07-relocate"])


def test_rule_csap_high_retains(table, assessment):
    w = run(make_workload(assessment=assessment, sector="public", csap_tier="high", **perf()))
    assert (w.verdict, w.fired_rules) == ("retain", ["R04-csap-high"])


def test_every_rule_has_an_id_a_sentence_and_unique_id():
    ids = [rule.id for rule in rules.VERDICT_RULES]
    assert len(ids) == len(set(ids))
    assert all(str(rule.sentence) for rule in rules.VERDICT_RULES)
    assert rules.VERDICT_RULES[-1].when == ()  # the default comes last


def test_no_catalogue_for_the_region_leaves_cost_empty(assessment):
    w = run(make_workload(assessment=assessment))
    assert w.monthly_compute_usd is None
    assert "no-prices" in w.caveats


def test_summary_counts_and_totals(table, assessment):
    make_workload(assessment=assessment, cpus=2, memory_mib=4096, in_use_mib=10240)
    make_workload(assessment=assessment, business_value="none")
    make_workload(assessment=assessment, is_template=True)
    assess.compute(assessment)
    s = assess.summary(assessment)
    assert s.total == 3
    assert s.excluded == 1
    assert s.per_verdict["rehost"] == 1
    assert s.per_verdict["retire"] == 1
    # Only the rehosted VM is in the cloud: 73.00 + 10 GB × 0.10.
    assert s.monthly_on_demand_usd == Decimal("74.00")
    assert s.monthly_reserved_usd == Decimal("44.80")
    assert s.hours_per_month == 730
    assessment.refresh_from_db()
    assert str(assessment.price_date) == "2026-10-01"


def test_export_rows_have_the_fixed_header_and_every_workload(table, assessment):
    make_workload(assessment=assessment, vm_name="b-web", in_use_mib=10240)
    make_workload(assessment=assessment, vm_name="a-tpl", is_template=True)
    assess.compute(assessment)
    rows = list(assess.export_rows(assessment))
    assert assess.EXPORT_HEADER[:3] == ["vm_name", "readiness", "verdict"]
    assert rows[0] == ["a-tpl", "excluded", "", "", "", "", "", "", "", ""]
    assert rows[1] == [
        "b-web",
        "ready",
        "rehost",
        "c6i.large",
        "ap-northeast-2",
        "73.00",
        "1.00",
        "low",
        "N01-no-utilisation;R08-rehost",
        "",
    ]
