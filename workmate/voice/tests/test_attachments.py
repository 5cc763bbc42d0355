"""Proposal attachments: posted with the proposal or added by its author in the edit window,
downloaded only by those who may see the proposal, removed by the author or a lead (logged),
and never tied to who uploaded them."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from workmate.accounts.models import User
from workmate.voice import leads, services
from workmate.voice.models import (
    Area,
    ModerationAction,
    ModerationLog,
    Proposal,
    ProposalAttachment,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
EXE = b"MZ\x90\x00\x03\x00"


def upload(name="shot.png", content=PNG, content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_data(**overrides) -> dict:
    data = {"title": "Printer queue", "problem": "It jams every morning.", "area": Area.TOOLS}
    data.update(overrides)
    return data


def stored_files(settings) -> list:
    folder = settings.MEDIA_ROOT / "voice"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.fixture
def proposal(bob) -> Proposal:
    return services.do_post_proposal(
        bob,
        title="Secret gripe",
        problem="The badge reader fails.",
        area=Area.WORKPLACE,
        anonymous=True,
        attachments=[upload("reader.png")],
    )


@pytest.fixture
def attachment(proposal) -> ProposalAttachment:
    return proposal.attachments.get()


def after_edit_window():
    return time_machine.travel(timezone.now() + datetime.timedelta(days=1), tick=False)


# --- Posting with files ----------------------------------------------------------------


def test_anonymous_post_stores_files_and_no_uploader(bob, settings):
    proposal = services.do_post_proposal(
        bob,
        **post_data(),
        anonymous=True,
        attachments=[upload("photo.png"), upload("report 11월.pdf", PDF, "application/pdf")],
    )

    rows = list(proposal.attachments.order_by("pk"))
    assert [(row.name, row.size, row.content_type) for row in rows] == [
        ("photo.png", len(PNG), "image/png"),
        ("report 11월.pdf", len(PDF), "application/pdf"),
    ]
    assert proposal.author is None
    for row in rows:
        assert row.file.name.startswith(f"voice/{proposal.pk}/")
        # The stored name is random: neither the uploader nor the original name shows.
        assert "bob" not in row.file.name.lower() and "photo" not in row.file.name
    assert (settings.MEDIA_ROOT / rows[1].file.name).read_bytes() == PDF


def test_the_attachment_table_has_no_user_column(db):
    relations_to_people = [
        field.name
        for field in ProposalAttachment._meta.get_fields()
        if field.is_relation and field.related_model is User
    ]
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, ProposalAttachment._meta.db_table
            )
        }

    assert relations_to_people == []
    assert columns == {"id", "proposal_id", "file", "name", "size", "content_type", "created_at"}


def test_a_path_sent_by_the_browser_is_stripped(bob):
    proposal = services.do_post_proposal(
        bob, **post_data(), attachments=[upload("C:\\Users\\bob\\notes.txt", b"hi\n", "text/plain")]
    )

    assert proposal.attachments.get().name == "notes.txt"


def test_posting_with_files_through_the_form(client, bob, settings):
    client.force_login(bob)

    response = client.post(
        reverse("voice:new"),
        post_data(anonymous="on", attachments=[upload("a.png"), upload("b.pdf", PDF)]),
    )

    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert proposal.is_anonymous and proposal.is_by(bob)
    assert sorted(proposal.attachments.values_list("name", flat=True)) == ["a.png", "b.pdf"]
    assert len(stored_files(settings)) == 2


def test_the_new_form_offers_file_upload(client, bob):
    client.force_login(bob)

    html = client.get(reverse("voice:new")).content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="attachments"' in html and "multiple" in html


def test_a_file_over_the_limit_saves_nothing(client, bob, settings):
    settings.WORK_ATTACHMENT_MAX_BYTES = 50
    client.force_login(bob)

    response = client.post(
        reverse("voice:new"), post_data(attachments=[upload("small.txt", b"ok\n"), upload()])
    )

    assert response.status_code == 400
    error = "shot.png: The file is larger than the limit of 50\xa0bytes."
    assert error in response.content.decode()
    assert not Proposal.objects.exists()
    assert not ProposalAttachment.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("run.exe", EXE, "application/x-msdownload"),
        ("disguised.png", EXE, "image/png"),
        ("page.html", b"\x00\x01binary", "text/html"),
    ],
)
def test_a_refused_type_saves_nothing(client, bob, settings, name, content, content_type):
    client.force_login(bob)

    response = client.post(
        reverse("voice:new"), post_data(attachments=[upload(name, content, content_type)])
    )

    assert response.status_code == 400
    assert f"{name}: Files of this type cannot be attached." in response.content.decode()
    assert not Proposal.objects.exists()
    assert stored_files(settings) == []


def test_more_than_three_files_are_refused(bob, settings):
    with pytest.raises(ValidationError) as error:
        services.do_post_proposal(bob, **post_data(), attachments=[upload()] * 4)

    assert error.value.message_dict == {"attachments": ["A proposal can have at most 3 files."]}
    assert not Proposal.objects.exists()
    assert stored_files(settings) == []


# --- No uploader anywhere --------------------------------------------------------------


def test_page_and_download_do_not_name_the_anonymous_author(client, alice, charlie, attachment):
    for viewer in (alice, charlie):  # a lead and an outsider
        client.force_login(viewer)
        page = client.get(reverse("voice:proposal", args=[attachment.proposal_id]))
        download = client.get(reverse("voice:attachment", args=[attachment.pk]))

        html = page.content.decode()
        assert "reader.png" in html
        headers = " ".join(f"{key}: {value}" for key, value in download.headers.items())
        for revealing in ("Bob Lee", "bob@example.com", "Bob", "bob@"):
            assert revealing not in html
            assert revealing not in headers
        assert b"".join(download.streaming_content) == PNG


# --- Download --------------------------------------------------------------------------


def test_download_is_an_attachment_that_never_runs(client, charlie, attachment):
    client.force_login(charlie)

    response = client.get(reverse("voice:attachment", args=[attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="reader.png"'
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_the_page_links_to_the_view_not_to_media(client, charlie, attachment, settings):
    client.force_login(charlie)

    html = client.get(reverse("voice:proposal", args=[attachment.proposal_id])).content.decode()

    assert reverse("voice:attachment", args=[attachment.pk]) in html
    assert settings.MEDIA_URL not in html and attachment.file.name not in html


def test_a_hidden_proposal_s_files_are_404_for_members(
    client, alice, bob, charlie, proposal, attachment
):
    leads.do_hide(alice, proposal, "Names a colleague.")
    url = reverse("voice:attachment", args=[attachment.pk])

    client.force_login(charlie)
    assert client.get(url).status_code == 404
    client.force_login(alice)  # a lead
    assert client.get(url).status_code == 200
    client.force_login(bob)  # the author
    assert client.get(url).status_code == 200


def test_unknown_attachment_is_404(client, charlie):
    client.force_login(charlie)

    assert client.get(reverse("voice:attachment", args=[999])).status_code == 404


def test_logged_out_people_are_sent_to_log_in(client, attachment):
    responses = [
        client.get(reverse("voice:attachment", args=[attachment.pk])),
        client.post(reverse("voice:add_attachments", args=[attachment.proposal_id])),
        client.post(reverse("voice:remove_attachment", args=[attachment.pk])),
    ]
    for response in responses:
        assert response.status_code == 302 and "login" in response["Location"]
    assert ProposalAttachment.objects.count() == 1


def test_wrong_methods_are_405(client, bob, attachment):
    client.force_login(bob)

    assert client.post(reverse("voice:attachment", args=[attachment.pk])).status_code == 405
    add = reverse("voice:add_attachments", args=[attachment.proposal_id])
    assert client.get(add).status_code == 405
    remove = reverse("voice:remove_attachment", args=[attachment.pk])
    assert client.get(remove).status_code == 405
    assert ProposalAttachment.objects.count() == 1


# --- Adding from the proposal page -----------------------------------------------------


def test_the_author_adds_files_within_the_edit_window(client, bob, proposal):
    client.force_login(bob)
    page = client.get(reverse("voice:proposal", args=[proposal.pk])).content.decode()
    assert reverse("voice:add_attachments", args=[proposal.pk]) in page

    response = client.post(
        reverse("voice:add_attachments", args=[proposal.pk]),
        {"attachments": [upload("plan.pdf", PDF, "application/pdf")]},
    )

    assert response.status_code == 302
    assert sorted(proposal.attachments.values_list("name", flat=True)) == ["plan.pdf", "reader.png"]


def test_others_cannot_add_files(client, alice, charlie, proposal):
    url = reverse("voice:add_attachments", args=[proposal.pk])
    for other in (alice, charlie):
        client.force_login(other)
        page = client.get(reverse("voice:proposal", args=[proposal.pk])).content.decode()
        assert url not in page
        assert client.post(url, {"attachments": [upload()]}).status_code == 403
    assert proposal.attachments.count() == 1


def test_the_author_cannot_add_files_after_the_window(client, bob, proposal):
    client.force_login(bob)

    with after_edit_window():
        response = client.post(
            reverse("voice:add_attachments", args=[proposal.pk]), {"attachments": [upload()]}
        )

    assert response.status_code == 403
    assert proposal.attachments.count() == 1


def test_adding_past_three_files_is_refused(client, bob, proposal, settings):
    client.force_login(bob)

    response = client.post(
        reverse("voice:add_attachments", args=[proposal.pk]),
        {"attachments": [upload("2.png"), upload("3.png"), upload("4.png")]},
    )

    assert response.status_code == 400
    assert "A proposal can have at most 3 files." in response.content.decode()
    assert proposal.attachments.count() == 1
    assert len(stored_files(settings)) == 1


def test_adding_a_refused_type_shows_the_error(client, bob, proposal):
    client.force_login(bob)

    response = client.post(
        reverse("voice:add_attachments", args=[proposal.pk]),
        {"attachments": [upload("run.exe", EXE, "application/x-msdownload")]},
    )

    assert response.status_code == 400
    assert "run.exe: Files of this type cannot be attached." in response.content.decode()
    assert proposal.attachments.count() == 1


# --- Removing --------------------------------------------------------------------------


def test_the_author_removes_a_file_without_a_log_entry(
    client, bob, attachment, settings, django_capture_on_commit_callbacks
):
    path = settings.MEDIA_ROOT / attachment.file.name
    client.force_login(bob)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("voice:remove_attachment", args=[attachment.pk]))

    assert response.status_code == 302
    assert not ProposalAttachment.objects.exists()
    assert not path.exists()
    # A log row names its actor: for an anonymous proposal that would name the author.
    assert not ModerationLog.objects.exists()


def test_members_cannot_remove_and_the_author_not_after_the_window(
    client, bob, charlie, attachment
):
    url = reverse("voice:remove_attachment", args=[attachment.pk])
    client.force_login(charlie)
    assert client.post(url).status_code == 403

    client.force_login(bob)
    with after_edit_window():
        assert client.post(url).status_code == 403

    assert ProposalAttachment.objects.count() == 1
    assert not ModerationLog.objects.exists()


def test_a_lead_removes_a_file_with_a_logged_reason(
    client, alice, attachment, settings, django_capture_on_commit_callbacks
):
    path = settings.MEDIA_ROOT / attachment.file.name
    url = reverse("voice:remove_attachment", args=[attachment.pk])
    client.force_login(alice)

    response = client.post(url, {"reason": ""}, follow=True)
    assert "Say why the file is removed" in response.content.decode()
    assert ProposalAttachment.objects.count() == 1 and not ModerationLog.objects.exists()

    with after_edit_window(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Shows a customer's data."})

    assert response.status_code == 302
    assert not ProposalAttachment.objects.exists()
    assert not path.exists()
    log = ModerationLog.objects.get()
    assert (log.action, log.moderator, log.reason, log.previous_text) == (
        ModerationAction.DETACH,
        alice,
        "Shows a customer's data.",
        "reader.png",
    )


def test_the_lead_page_shows_file_removals_in_the_log(client, alice, attachment):
    services.do_remove_attachment(alice, attachment, "Private data.")
    client.force_login(alice)

    html = client.get(reverse("voice:lead_proposal", args=[attachment.proposal_id])).content
    assert "File removed" in html.decode() and "Private data." in html.decode()


def test_the_service_refuses_others(charlie, attachment):
    with pytest.raises(PermissionDenied):
        services.do_remove_attachment(charlie, attachment, "I do not like it.")
    with pytest.raises(PermissionDenied):
        services.do_add_attachments(charlie, attachment.proposal, [upload()])
    assert ProposalAttachment.objects.count() == 1
