"""Export (zip, printable) and import through the client, with who may do what."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workmate.library import services
from workmate.library.models import Page, PageAttachment, PageImport
from workmate.testing.factories import make_page

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _upload(data: bytes, name: str = "pages.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


@pytest.fixture
def tree(space, alice):
    top = make_page(space=space, owner=alice, title="운영", body="# 운영\n[[백업]]")
    child = make_page(space=space, owner=alice, title="백업", body="백업 절차", parent=top)
    services.do_add_attachment(alice, child, SimpleUploadedFile("diagram.png", PNG, "image/png"))
    return top, child


def test_export_a_space_and_import_it_back(client, space, tree, alice, bob):
    client.force_login(bob)
    response = client.get(reverse("library:export_space", args=[space.key]))
    assert response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == ["운영.md", "운영/백업.md", "운영/백업.attachments/diagram.png"]

    Page.objects.filter(parent__isnull=False).delete()
    Page.objects.all().delete()
    url = reverse("library:import", args=[space.key])
    response = client.post(url, {"file": _upload(data)})
    result = PageImport.objects.get()
    assert response["Location"] == reverse("library:import_result", args=[space.key, result.pk])
    top = Page.objects.get(title="운영", parent=None)
    child = Page.objects.get(title="백업", parent=top)
    assert child.current_revision.body == "백업 절차"
    assert [a.name for a in PageAttachment.objects.filter(page=child)] == ["diagram.png"]
    assert result.refused == []
    page = client.get(response["Location"]).content.decode()
    assert "운영 / 백업" in page


def test_import_reports_refused_files_by_name(client, space, bob):
    client.force_login(bob)
    data = _zip(
        {
            "가이드.md": b"hello",
            "notes.txt": b"x",
            "../evil.md": b"x",
            "가이드.attachments/run.exe": b"MZ\x90\x00",
        }
    )
    client.post(reverse("library:import", args=[space.key]), {"file": _upload(data)})
    result = PageImport.objects.get()
    assert [title for _pk, title in result.created_pages] == ["가이드"]
    assert [name for name, _reason in result.refused] == [
        "notes.txt",
        "../evil.md",
        "가이드.attachments/run.exe",
    ]
    url = reverse("library:import_result", args=[space.key, result.pk])
    html = client.get(url).content.decode()
    assert "notes.txt" in html and "../evil.md" in html


def test_a_broken_zip_is_a_form_error_and_imports_nothing(client, space, bob):
    client.force_login(bob)
    url = reverse("library:import", args=[space.key])
    response = client.post(url, {"file": _upload(b"PK\x03\x04 not really")})
    assert response.status_code == 400
    assert "not a zip" in response.content.decode()
    response = client.post(url, {"file": _upload(b"# hi", name="page.md")})
    assert response.status_code == 400
    assert not Page.objects.exists() and not PageImport.objects.exists()


def test_an_error_half_way_leaves_nothing(client, space, bob, monkeypatch):
    from workmate.library import exchange

    calls = []
    real = services.do_create_page

    def failing(*args, **kwargs):
        calls.append(kwargs["title"])
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(exchange.services, "do_create_page", failing)
    data = _zip({"a.md": b"a", "a.attachments/p.png": PNG, "b.md": b"b"})
    client.force_login(bob)
    with pytest.raises(RuntimeError):
        client.post(reverse("library:import", args=[space.key]), {"file": _upload(data)})
    assert not Page.objects.exists()
    assert not PageAttachment.objects.exists()


def test_readers_cannot_import_and_outsiders_see_no_private_export(
    client, space, private_space, alice, bob, charlie
):
    client.force_login(charlie)
    url = reverse("library:import", args=[space.key])
    assert client.post(url, {"file": _upload(_zip({"a.md": b"a"}))}).status_code == 403
    assert not Page.objects.exists()
    secret = make_page(space=private_space, owner=alice, title="인수 계획")
    client.force_login(bob)
    for url in (
        reverse("library:export_space", args=[private_space.key]),
        reverse("library:print_space", args=[private_space.key]),
        reverse("library:export_page", args=[secret.pk]),
        reverse("library:print_page", args=[secret.pk]),
        reverse("library:import", args=[private_space.key]),
    ):
        assert client.get(url).status_code == 404, url


def test_printable_page_with_children_and_links(client, space, tree, bob):
    top, child = tree
    client.force_login(bob)
    response = client.get(reverse("library:print_page", args=[top.pk]))
    html = response.content.decode()
    # The page, then its child under its path, the child's text after its heading.
    top_at, child_at = html.index("<h1>운영</h1>"), html.index("<h1>운영 › 백업</h1>")
    assert top_at < child_at < html.index("백업 절차")
    assert f'href="/library/pages/{child.pk}/"' in html


def test_printable_space_in_a_fixed_number_of_queries(
    client, space, tree, alice, bob, django_assert_num_queries
):
    for number in range(10):
        make_page(space=space, owner=alice, title=f"쪽 {number}", body=f"[[백업]] {number}")
    client.force_login(bob)
    url = reverse("library:print_space", args=[space.key])
    client.get(url)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count('class="print-page"') == 12
