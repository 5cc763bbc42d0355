from __future__ import annotations

from workmate.testing.factories import make_project
from workmate.webhooks.demo import PROJECT, seed_webhooks_demo
from workmate.webhooks.models import DeliveryStatus, Endpoint, IncomingHook


def test_the_demo_makes_turned_off_endpoints_with_a_log_once(alice, team):
    make_project(name=PROJECT, owner=alice, team=team)

    assert seed_webhooks_demo({}) == 2
    assert seed_webhooks_demo({}) == 0

    endpoints = Endpoint.objects.all()
    assert len(endpoints) == 2
    assert all(not endpoint.is_enabled for endpoint in endpoints)
    audit = Endpoint.objects.get(kind="webhook")
    assert set(audit.deliveries.values_list("status", flat=True)) == {
        DeliveryStatus.DELIVERED,
        DeliveryStatus.DEAD,
    }
    assert IncomingHook.objects.get().owner == alice
