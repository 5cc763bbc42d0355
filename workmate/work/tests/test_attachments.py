"""Attachments: upload with size and type limits, download only for those who can see the
task, removal by the uploader or an editor."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from workmate.testing.factories import add_member, make_project, make_task
from workmate.work import services
from workmate.work.models import Activity, Attachment, Visibility

HTMX = {"HX-Request": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def task(project, alice):
    return services.do_create_task(alice, project, title="Check backups")


def upload(name="shot.png", content=PNG, content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def add_url(task) -> str:
    return reverse("work:add_attachment", args=[task.pk])


def file_url(attachment, name="work:attachment") -> str:
    return reverse(name, args=[attachment.pk])


# --- The service ---------------------------------------------------------------------------


def test_stores_the_file_under_media_root_with_its_details(task, bob, settings):
    attachment = services.do_add_attachment(
        bob, task, upload("report 11월.pdf", PDF, "application/pdf")
    )

    assert (attachment.name, attachment.size, attachment.content_type) == (
        "report 11월.pdf",
        len(PDF),
        "application/pdf",
    )
    assert attachment.uploaded_by == bob
    assert attachment.file.name.startswith(f"tasks/{task.pk}/")
    assert (settings.MEDIA_ROOT / attachment.file.name).read_bytes() == PDF
    assert Activity.objects.filter(task=task, verb="attached", new_value="report 11월.pdf").exists()


def test_the_type_comes_from_the_content_not_the_name(task, bob):
    attachment = services.do_add_attachment(
        bob, task, upload("notes.png", b"plain words\n", "application/octet-stream")
    )

    assert attachment.content_type == "text/plain"


def test_office_documents_keep_their_declared_type(task, bob):
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    attachment = services.do_add_attachment(bob, task, upload("plan.docx", b"PK\x03\x04rest", docx))

    assert attachment.content_type == docx


def test_a_file_over_the_limit_is_refused(task, bob, settings):
    settings.WORK_ATTACHMENT_MAX_BYTES = 50

    with pytest.raises(ValidationError) as error, translation.override("en"):
        services.do_add_attachment(bob, task, upload(content=PNG + b"x"))

    assert error.value.message_dict == {
        "file": ["The file is larger than the limit of 50\xa0bytes."]
    }
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("page.html", b"\x00\x01binary", "text/html"),
        ("run.exe", b"MZ\x90\x00\x03\x00", "application/x-msdownload"),
        ("disguised.png", b"MZ\x90\x00\x03\x00", "image/png"),
    ],
)
def test_types_outside_the_allow_list_are_refused(task, bob, name, content, content_type):
    with pytest.raises(ValidationError) as error:
        services.do_add_attachment(bob, task, upload(name, content, content_type))

    assert "Files of this type cannot be attached." in error.value.message_dict["file"][0]
    assert not Attachment.objects.exists()


def test_the_allow_list_comes_from_settings(task, bob, settings):
    settings.WORK_ATTACHMENT_TYPES = ["application/pdf"]

    with pytest.raises(ValidationError):
        services.do_add_attachment(bob, task, upload())


def test_read_only_viewer_cannot_attach(team, alice, charlie):
    task = make_task(project=make_project(team=team, owner=alice, visibility=Visibility.ORG))

    with pytest.raises(PermissionDenied):
        services.do_add_attachment(charlie, task, upload())


def test_removal_deletes_the_row_and_the_file(
    task, bob, settings, django_capture_on_commit_callbacks
):
    attachment = services.do_add_attachment(bob, task, upload())
    path = settings.MEDIA_ROOT / attachment.file.name

    with django_capture_on_commit_callbacks(execute=True):
        services.do_remove_attachment(bob, attachment)

    assert not Attachment.objects.exists()
    assert not path.exists()
    assert Activity.objects.filter(task=task, verb="detached", old_value="shot.png").exists()


def test_only_the_uploader_or_an_editor_may_remove(team, alice, bob, charlie):
    handbook = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    task = make_task(project=handbook)
    add_member(team, charlie)  # now a team member: an editor of the team's org-wide project
    attachment = services.do_add_attachment(charlie, task, upload())
    team.memberships.filter(user=charlie).delete()  # and a read-only viewer again

    services.do_remove_attachment(charlie, attachment)  # the uploader may

    other = services.do_add_attachment(bob, task, upload())
    with pytest.raises(PermissionDenied):
        services.do_remove_attachment(charlie, other)
    services.do_remove_attachment(alice, other)  # an editor may
    assert not Attachment.objects.exists()


# --- Upload view ---------------------------------------------------------------------------


def test_upload_logged_out_goes_to_login(client, task):
    response = client.post(add_url(task), {"file": upload()})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Attachment.objects.exists()


def test_upload_refuses_get(client, task, bob):
    client.force_login(bob)

    assert client.get(add_url(task)).status_code == 405


def test_upload_outsider_gets_404(client, task, charlie):
    client.force_login(charlie)

    assert client.post(add_url(task), {"file": upload()}).status_code == 404
    assert not Attachment.objects.exists()


def test_upload_read_only_viewer_gets_403(client, team, alice, charlie):
    task = make_task(project=make_project(team=team, owner=alice, visibility=Visibility.ORG))
    client.force_login(charlie)

    assert client.post(add_url(task), {"file": upload()}).status_code == 403
    assert not Attachment.objects.exists()


def test_uploads_and_lists_the_file(client, task, bob):
    client.force_login(bob)

    response = client.post(add_url(task), {"file": upload()}, follow=True)

    attachment = Attachment.objects.get()
    assert (attachment.task, attachment.uploaded_by, attachment.name) == (task, bob, "shot.png")
    page = response.content.decode()
    assert "Attached shot.png." in page
    listing = page.split('id="attachments"')[1].split("</section>")[0]
    assert f'<a href="{file_url(attachment)}" download>shot.png</a>' in listing
    assert "Bob Lee attached shot.png" in page.split('id="history"')[1]


def test_htmx_upload_returns_the_detail(client, task, bob):
    client.force_login(bob)

    response = client.post(add_url(task), {"file": upload()}, headers=HTMX, follow=True)

    fragment = response.content.decode()
    assert fragment.startswith('<article class="card task-detail')
    assert "shot.png" in fragment.split('id="attachments"')[1]


def test_a_refused_upload_says_why(client, task, bob, settings):
    settings.WORK_ATTACHMENT_MAX_BYTES = 10
    client.force_login(bob)

    response = client.post(add_url(task), {"file": upload()})

    assert response.status_code == 400
    assert (
        '<p class="error" id="id_file_error">The file is larger than the limit of 10\xa0bytes.'
        in (response.content.decode())
    )
    assert not Attachment.objects.exists()


def test_a_missing_file_is_a_field_error(client, task, bob):
    client.force_login(bob)

    response = client.post(add_url(task), {})

    assert response.status_code == 400
    assert 'id="id_file_error">This field is required.' in response.content.decode()


# --- Download view -------------------------------------------------------------------------


@pytest.fixture
def attachment(task, bob):
    return services.do_add_attachment(bob, task, upload("회의록 final.pdf", PDF, "application/pdf"))


def test_download_logged_out_goes_to_login(client, attachment):
    response = client.get(file_url(attachment))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_download_refuses_post(client, attachment, bob):
    client.force_login(bob)

    assert client.post(file_url(attachment)).status_code == 405


def test_download_outsider_gets_404(client, attachment, charlie):
    client.force_login(charlie)

    assert client.get(file_url(attachment)).status_code == 404


def test_downloads_with_the_original_name(client, attachment, alice):
    client.force_login(alice)

    response = client.get(file_url(attachment))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%ED%9A%8C%EC%9D%98%EB%A1%9D%20final.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_read_only_viewer_may_download(client, team, alice, charlie):
    task = make_task(project=make_project(team=team, owner=alice, visibility=Visibility.ORG))
    attachment = services.do_add_attachment(alice, task, upload())
    client.force_login(charlie)

    assert client.get(file_url(attachment)).status_code == 200


def test_media_url_does_not_serve_attachments(client, attachment, bob):
    client.force_login(bob)

    assert client.get(f"/media/{attachment.file.name}").status_code == 404


# --- Remove view ---------------------------------------------------------------------------


def test_remove_refuses_get(client, attachment, bob):
    client.force_login(bob)

    assert client.get(file_url(attachment, "work:remove_attachment")).status_code == 405


def test_remove_outsider_gets_404(client, attachment, charlie):
    client.force_login(charlie)

    assert client.post(file_url(attachment, "work:remove_attachment")).status_code == 404
    assert Attachment.objects.exists()


def test_remove_read_only_viewer_gets_403(client, team, alice, charlie):
    task = make_task(project=make_project(team=team, owner=alice, visibility=Visibility.ORG))
    attachment = services.do_add_attachment(alice, task, upload())
    client.force_login(charlie)

    assert client.post(file_url(attachment, "work:remove_attachment")).status_code == 403
    assert Attachment.objects.exists()


def test_removes(client, attachment, alice):
    client.force_login(alice)

    response = client.post(file_url(attachment, "work:remove_attachment"), follow=True)

    assert not Attachment.objects.exists()
    page = response.content.decode()
    assert "Removed 회의록 final.pdf." in page
    assert "Alice Kim removed the attachment 회의록 final.pdf" in page.split('id="history"')[1]


def test_htmx_remove_returns_the_detail(client, attachment, alice):
    client.force_login(alice)

    response = client.post(
        file_url(attachment, "work:remove_attachment"), headers=HTMX, follow=True
    )

    fragment = response.content.decode()
    assert fragment.startswith('<article class="card task-detail')
    assert "No attachments." in fragment
