"""The health rules a new installation starts with (SE changes them in the admin)."""

from django.db import migrations

DEFAULT_RULES = [
    # name, input, comparison, threshold, window days, level
    ("An SLA breach", "sla_breaches", "gte", 1, 30, "watch"),
    ("Repeated SLA breaches", "sla_breaches", "gte", 3, 30, "at_risk"),
    ("CSAT below 80 %", "csat_percent", "lte", 80, 90, "watch"),
    ("CSAT at or below 60 %", "csat_percent", "lte", 60, 90, "at_risk"),
    ("No meeting for 60 days", "days_since_meeting", "gte", 60, 90, "watch"),
    ("No meeting for 120 days", "days_since_meeting", "gte", 120, 90, "at_risk"),
    ("Many open tickets", "open_tickets", "gte", 10, 90, "watch"),
    ("Feedback piling up", "open_feedback", "gte", 5, 90, "watch"),
]


def add_rules(apps, schema_editor):
    HealthRule = apps.get_model("success", "HealthRule")
    for name, input_, comparison, threshold, window, level in DEFAULT_RULES:
        HealthRule.objects.create(
            name=name,
            input=input_,
            comparison=comparison,
            threshold=threshold,
            window_days=window,
            level=level,
        )


def remove_rules(apps, schema_editor):
    apps.get_model("success", "HealthRule").objects.filter(
        name__in=[rule[0] for rule in DEFAULT_RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("success", "0001_initial")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
