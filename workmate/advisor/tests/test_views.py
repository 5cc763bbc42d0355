"""The advisor's pages: works, wrong method, outsider, reader, htmx, query counts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workmate.advisor import assess, samples
from workmate.advisor.models import Assessment, CsapCertifiedService, ImportStatus, Workload
from workmate.testing.factories import make_price_table, make_workload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def table():
    make_price_table()


def url(name, *args):
    return reverse(f"advisor:{name}", args=args)


def test_new_assessment(client, architect, customer_a):
    client.force_login(architect)
    assert client.get(url("new")).status_code == 200
    response = client.post(url("new"), {"customer": customer_a.pk, "name": "DC exit"})
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == assessment.get_absolute_url()
    assert (assessment.architect, assessment.sector) == (architect, customer_a.industry)


def test_new_assessment_needs_a_name(client, architect, customer_a):
    client.force_login(architect)
    response = client.post(url("new"), {"customer": customer_a.pk, "name": ""})
    assert response.status_code == 200
    assert not Assessment.objects.exists()


def test_leads_cannot_create(client, alice):
    client.force_login(alice)
    assert client.get(url("new")).status_code == 404


def test_assessment_page_shows_verdicts_reasons_and_findings(client, architect, assessment):
    make_workload(
        assessment=assessment,
        vm_name="core-bank",
        sector="finance",
        data_classes=["credit"],
        target_region="us-east-1",
    )
    make_workload(assessment=assessment, vm_name="idle", business_value="none")
    assess.compute(assessment)
    client.force_login(architect)
    body = client.get(assessment.get_absolute_url()).content.decode()
    assert "core-bank" in body
    assert "R01-no-business-value" in body
    assert "F-FIN-KOREA" in body
    assert "Financial data stays in Korea" in body
    assert 'id="settings-form"' in body


def test_reader_sees_no_forms(client, alice, assessment):
    make_workload(assessment=assessment)
    client.force_login(alice)
    body = client.get(assessment.get_absolute_url()).content.decode()
    assert 'id="settings-form"' not in body
    assert 'id="import-form"' not in body
    assert 'id="bulk-form"' not in body


def test_workload_table_query_count_is_constant(
    client, architect, assessment, django_assert_max_num_queries
):
    for i in range(5):
        make_workload(assessment=assessment, vm_name=f"a{i}")
    assess.compute(assessment)
    client.force_login(architect)
    client.get(assessment.get_absolute_url())  # warm the session and caches

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(assessment.get_absolute_url())
    for i in range(120):
        make_workload(assessment=assessment, vm_name=f"b{i:03d}")
    assess.compute(assessment)
    with CaptureQueriesContext(connection) as many:
        response = client.get(assessment.get_absolute_url() + "?page=2")
    assert response.status_code == 200
    assert len(many) == len(few)
    with django_assert_max_num_queries(len(few)):
        client.get(assessment.get_absolute_url())


def test_htmx_filter_returns_the_table_fragment(client, architect, assessment):
    make_workload(assessment=assessment, vm_name="keep", business_value="none")
    make_workload(assessment=assessment, vm_name="other")
    assess.compute(assessment)
    client.force_login(architect)
    response = client.get(
        assessment.get_absolute_url() + "?verdict=retire",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="workload-list",
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "keep" in body and ">other<" not in body


def test_settings_post_recomputes_and_bad_value_is_a_form_error(
    client, architect, assessment, django_capture_on_commit_callbacks
):
    w = make_workload(assessment=assessment, cpus=2, memory_mib=4096)
    assess.compute(assessment)
    client.force_login(architect)
    data = {
        "name": assessment.name,
        "sector": "retail",
        "region": "ap-northeast-2",
        "percentile": "p95",
        "comfort_factor": "1.3",
        "pricing_model": "reserved_1y",
        "allowed_families": "m6i",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("settings", assessment.pk), data)
    assert response.status_code == 302
    w.refresh_from_db()
    assert w.instance_type == "m6i.large"
    assert str(w.monthly_compute_usd) == "51.10"
    response = client.post(url("settings", assessment.pk), data | {"region": "Seoul"})
    assert response.status_code == 400
    assert "AWS region code" in response.content.decode()


def test_settings_get_is_not_allowed_and_readers_are_refused(client, alice, assessment):
    client.force_login(alice)
    assert client.get(url("settings", assessment.pk)).status_code == 405
    assert client.post(url("settings", assessment.pk), {"name": "x"}).status_code == 403


def test_upload_preview_confirm(client, architect, assessment, django_capture_on_commit_callbacks):
    client.force_login(architect)
    upload = SimpleUploadedFile("RVTools.xlsx", samples.rvtools_xlsx(samples.machines(12)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("start_import", assessment.pk), {"files": [upload]})
    run = assessment.imports.get()
    assert response["Location"] == url("import", assessment.pk, run.pk)
    body = client.get(response["Location"]).content.decode()
    assert "12 VMs will be read" in body
    assert 'id="confirm-import"' in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("confirm_import", assessment.pk, run.pk))
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE
    assert assessment.workloads.count() == 12
    partial = client.get(url("import", assessment.pk, run.pk), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert "hx-trigger" not in partial.content.decode()  # done: no more polling


def test_running_import_polls(client, architect, assessment):
    from workmate.advisor.models import ImportRun

    run = ImportRun.objects.create(
        assessment=assessment,
        status=ImportStatus.APPLYING,
        phase="computing",
        progress_done=5,
        progress_total=10,
    )
    client.force_login(architect)
    body = client.get(url("import", assessment.pk, run.pk), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert "5 / 10" in body


def test_import_of_another_assessment_is_404(client, architect, assessment):
    from workmate.advisor.models import ImportRun
    from workmate.testing.factories import make_assessment

    other = ImportRun.objects.create(assessment=make_assessment())
    client.force_login(architect)
    assert client.get(url("import", assessment.pk, other.pk)).status_code == 404


def test_upload_without_files_is_a_form_error(client, architect, assessment):
    client.force_login(architect)
    response = client.post(url("start_import", assessment.pk), {})
    assert response.status_code == 400
    assert not assessment.imports.exists()


def test_workload_page_edit_and_override(client, architect, assessment):
    w = make_workload(assessment=assessment, cpus=2, memory_mib=4096)
    assess.compute(assessment)
    client.force_login(architect)
    body = client.get(url("workload", assessment.pk, w.pk)).content.decode()
    assert "R08-rehost" in body and "lift and shift" in body
    response = client.post(
        url("workload", assessment.pk, w.pk),
        {
            "cpus": 2,
            "memory_mib": 4096,
            "os_tools": "Ubuntu Linux (64-bit)",
            "business_value": "none",
            "data_classes": ["personal"],
        },
    )
    assert response.status_code == 302
    w.refresh_from_db()
    assert (w.business_value, w.verdict, w.data_classes) == ("none", "retire", ["personal"])
    response = client.post(
        url("override", assessment.pk, w.pk), {"verdict": "rehost", "reason": "Still used by HR"}
    )
    assert response.status_code == 302
    w.refresh_from_db()
    assert (w.verdict, w.override_verdict, w.override_reason) == (
        "retire",
        "rehost",
        "Still used by HR",
    )
    body = client.get(url("workload", assessment.pk, w.pk)).content.decode()
    assert "Still used by HR" in body
    response = client.post(
        url("override", assessment.pk, w.pk), {"verdict": "retain", "reason": ""}
    )
    assert response.status_code == 400
    client.post(url("override", assessment.pk, w.pk), {"clear": "1"})
    w.refresh_from_db()
    assert not w.is_overridden


def test_workload_edit_refuses_bad_input(client, architect, assessment):
    w = make_workload(assessment=assessment)
    client.force_login(architect)
    response = client.post(url("workload", assessment.pk, w.pk), {"cpus": 0, "memory_mib": 4096})
    assert response.status_code == 400
    w.refresh_from_db()
    assert w.cpus == 2


def test_reader_cannot_override(client, alice, assessment):
    w = make_workload(assessment=assessment)
    client.force_login(alice)
    response = client.post(
        url("override", assessment.pk, w.pk), {"verdict": "retain", "reason": "x"}
    )
    assert response.status_code == 403
    w.refresh_from_db()
    assert not w.is_overridden


def test_workload_of_another_assessment_is_404(client, architect, assessment):
    stranger = make_workload()
    client.force_login(architect)
    assert client.get(url("workload", assessment.pk, stranger.pk)).status_code == 404


def test_bulk_edit(client, architect, assessment):
    a = make_workload(assessment=assessment)
    b = make_workload(assessment=assessment)
    client.force_login(architect)
    response = client.post(
        url("bulk_edit", assessment.pk),
        {"workload": [a.pk, b.pk], "field": "environment", "value": "dev"},
    )
    assert response.status_code == 302
    assert set(Workload.objects.values_list("environment", flat=True)) == {"dev"}
    client.post(
        url("bulk_edit", assessment.pk), {"workload": [a.pk], "field": "sector", "value": "x"}
    )
    a.refresh_from_db()
    assert a.sector == ""


def test_rules_page_lists_every_rule(client, alice):
    from workmate.advisor import rules

    client.force_login(alice)
    body = client.get(url("rules")).content.decode()
    for rule in rules.VERDICT_RULES:
        assert rule.id in body
    for finding in rules.FINDINGS:
        assert finding.id in body


def test_csap_list_is_kept_by_architects(client, architect, alice):
    client.force_login(architect)
    client.post(url("csap"), {"tier": "medium", "provider": "Cloud A", "service": "IaaS"})
    item = CsapCertifiedService.objects.get()
    client.force_login(alice)
    assert client.post(url("csap"), {"remove": item.pk}).status_code == 404
    assert CsapCertifiedService.objects.exists()
    client.force_login(architect)
    client.post(url("csap"), {"remove": item.pk})
    assert not CsapCertifiedService.objects.exists()


def test_template_download(client):
    response = client.get(url("template"))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("vm_name,vcenter,powerstate,")


@pytest.mark.parametrize("name", ["home", "rules", "csap"])
def test_plain_members_and_outsiders_are_refused(client, bob, charlie, name):
    for person in (bob, charlie):
        client.force_login(person)
        assert client.get(url(name)).status_code == 403


def test_korean(client, architect, assessment):
    architect.language = "ko"
    architect.save()
    make_workload(assessment=assessment)
    assess.compute(assessment)
    client.force_login(architect)
    body = client.get(assessment.get_absolute_url()).content.decode()
    assert 'lang="ko"' in body
