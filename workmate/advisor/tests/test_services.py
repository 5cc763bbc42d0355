"""Assessments, settings (what-if), bulk edit, overrides and the timeline."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from workmate.advisor import assess, services
from workmate.advisor.models import Assessment, EventKind
from workmate.testing.factories import make_price_table, make_workload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def table():
    make_price_table()
    make_price_table(region="us-east-1", gp3="0.08")


def test_create_defaults_the_sector_to_the_customers_industry(architect, customer_a):
    customer_a.industry = "finance"
    customer_a.save()
    first = services.do_create_assessment(architect, customer_a, "2026 DC exit, phase 1")
    second = services.do_create_assessment(architect, customer_a, "phase 2")
    assert first.sector == "finance"
    assert first.architect == architect
    assert customer_a.assessments.count() == 2
    assert second.events.get().kind == EventKind.CREATED


def test_only_le_members_create(bob, alice, customer_a):
    for person in (bob, alice):
        with pytest.raises(ValidationError):
            services.do_create_assessment(person, customer_a, "x")
    assert not Assessment.objects.exists()


def test_the_architect_must_be_in_le(architect, bob, customer_a):
    with pytest.raises(ValidationError) as info:
        services.do_create_assessment(architect, customer_a, "x", architect=bob)
    assert "architect" in info.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("comfort_factor", "0.5"),
        ("comfort_factor", "abc"),
        ("region", "Seoul"),
        ("percentile", "p99"),
        ("pricing_model", "spot"),
        ("allowed_families", ["m6i", "m 6"]),
        ("burstable_allowed", "yes"),
    ],
)
def test_bad_settings_are_refused(architect, assessment, field, value):
    with pytest.raises(ValidationError) as info:
        services.do_update_assessment(architect, assessment, **{field: value})
    assert field in info.value.message_dict
    assessment.refresh_from_db()
    assert assessment.comfort_factor == Decimal("1.30")


def test_override_is_kept_through_a_what_if(
    architect, assessment, django_capture_on_commit_callbacks
):
    w = make_workload(assessment=assessment, cpus=2, memory_mib=4096, in_use_mib=10240)
    other = make_workload(assessment=assessment, cpus=2, memory_mib=4096)
    assess.compute(assessment)
    w = services.do_override(
        architect,
        w,
        reason="Vendor support needs 8 GiB",
        verdict="replatform",
        instance_type="m6i.large",
    )
    w.refresh_from_db()
    assert (w.verdict, w.override_verdict) == ("rehost", "replatform")
    assert (w.instance_type, w.override_instance_type) == ("c6i.large", "m6i.large")
    assert w.monthly_on_demand_usd == Decimal("87.60")  # the chosen m6i.large: 0.12 × 730
    assert w.overridden_by == architect

    with django_capture_on_commit_callbacks(execute=True):
        services.do_update_assessment(
            architect,
            assessment,
            region="us-east-1",
            comfort_factor="1.5",
            pricing_model="reserved_1y",
        )
    w.refresh_from_db()
    other.refresh_from_db()
    assert w.override_verdict == "replatform"
    assert w.override_instance_type == "m6i.large"
    assert w.override_reason == "Vendor support needs 8 GiB"
    assert w.region == "us-east-1"
    assert w.monthly_compute_usd == Decimal("51.10")  # reserved 0.07 × 730
    assert other.region == "us-east-1"
    assessment.refresh_from_db()
    assert assessment.compute_status == ""
    kinds = list(assessment.events.values_list("kind", flat=True))
    assert kinds[:3] == [EventKind.COMPUTED, EventKind.SETTINGS, EventKind.OVERRIDDEN]
    settings_event = assessment.events.get(kind=EventKind.SETTINGS)
    assert settings_event.data["changes"]["comfort_factor"] == ["1.30", "1.50"]
    assert settings_event.actor == architect


def test_override_needs_a_reason_and_something_to_override(architect, assessment):
    w = make_workload(assessment=assessment)
    with pytest.raises(ValidationError):
        services.do_override(architect, w, reason="", verdict="retain")
    with pytest.raises(ValidationError):
        services.do_override(architect, w, reason="because")
    with pytest.raises(ValidationError):
        services.do_override(architect, w, reason="x", verdict="rebuy")
    w.refresh_from_db()
    assert not w.is_overridden


def test_clear_override_returns_to_the_computed_result(architect, assessment):
    w = make_workload(assessment=assessment)
    assess.compute(assessment)
    services.do_override(architect, w, reason="keep on prem", verdict="retain")
    services.do_clear_override(architect, w)
    w.refresh_from_db()
    assert (w.override_verdict, w.override_reason, w.chosen_verdict) == ("", "", "rehost")
    assert assessment.events.filter(kind=EventKind.OVERRIDE_CLEARED).exists()


def test_bulk_edit_sets_attributes_and_recomputes(architect, assessment):
    a = make_workload(assessment=assessment)
    b = make_workload(assessment=assessment)
    c = make_workload(assessment=assessment)
    assess.compute(assessment)
    count = services.do_edit_workloads(
        architect, assessment, [a.pk, b.pk], {"business_value": "none", "environment": "dev"}
    )
    assert count == 2
    for w in (a, b):
        w.refresh_from_db()
        assert (w.business_value, w.verdict) == ("none", "retire")
    c.refresh_from_db()
    assert c.verdict == "rehost"
    event = assessment.events.get(kind=EventKind.EDITED)
    assert event.data["count"] == 2
    assert event.data["changes"] == {"business_value": "none", "environment": "dev"}


def test_bulk_edit_refuses_bad_values_and_other_assessments_workloads(architect, assessment):
    a = make_workload(assessment=assessment)
    stranger = make_workload()
    with pytest.raises(ValidationError):
        services.do_edit_workloads(architect, assessment, [a.pk], {"cpu_p95_pct": "120"})
    with pytest.raises(ValidationError):
        services.do_edit_workloads(architect, assessment, [a.pk], {"vm_name": "x"})
    with pytest.raises(ValidationError):
        services.do_edit_workloads(architect, assessment, [stranger.pk], {"environment": "dev"})
    stranger.refresh_from_db()
    assert stranger.environment == ""


def test_readers_cannot_change(alice, assessment):
    w = make_workload(assessment=assessment)
    with pytest.raises(PermissionDenied):
        services.do_override(alice, w, reason="x", verdict="retain")
    with pytest.raises(PermissionDenied):
        services.do_update_assessment(alice, assessment, comfort_factor="1.5")
    with pytest.raises(PermissionDenied):
        services.do_edit_workloads(alice, assessment, [w.pk], {"environment": "dev"})
