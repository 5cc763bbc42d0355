from __future__ import annotations

import io
import zipfile

import pytest

from workmate.library import transfer
from workmate.library.transfer import ArchiveError, ExportedPage, read_archive, write_archive


def _allow(name: str, data: bytes) -> str:
    return "" if data.startswith(b"\x89PNG") else "not an allowed type"


def _read(data: bytes) -> transfer.Archive:
    return read_archive(io.BytesIO(data), attachment_limit=1024 * 1024, check_attachment=_allow)


def _zip(entries: dict[str, bytes], **kwargs) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 20


def test_round_trip_keeps_tree_titles_bodies_and_attachments():
    out = io.BytesIO()
    write_archive(
        out,
        [
            ExportedPage(("Runbooks",), "# Top\n"),
            ExportedPage(
                ("Runbooks", "백업 / 복구"),
                "본문 [[Runbooks]]",
                [("a.png", lambda: io.BytesIO(PNG))],
            ),
            ExportedPage(("Runbooks", "백업 / 복구", "Step: one?"), "deep"),
            ExportedPage(("Runbooks", "백업 - 복구"), "same file name"),
        ],
    )
    archive = _read(out.getvalue())
    assert archive.refused == []
    got = {page.path: (page.title, page.body, page.attachments) for page in archive.pages}
    assert got == {
        ("Runbooks",): ("Runbooks", "# Top\n", []),
        ("Runbooks", "백업 - 복구"): ("백업 / 복구", "본문 [[Runbooks]]", [("a.png", PNG)]),
        ("Runbooks", "백업 - 복구", "Step- one-"): ("Step: one?", "deep", []),
        ("Runbooks", "백업 - 복구 (2)"): ("백업 - 복구", "same file name", []),
    }
    # Parents come before their children.
    assert [len(page.path) for page in archive.pages] == sorted(len(p.path) for p in archive.pages)


def test_folders_without_a_file_become_pages_and_titles_come_from_names():
    archive = _read(_zip({"Guides/Cloud/AWS.md": b"aws", "README.markdown": b"hi"}))
    assert [(page.path, page.title, page.body) for page in archive.pages] == [
        (("Guides",), "Guides", ""),
        (("README",), "README", "hi"),
        (("Guides", "Cloud"), "Cloud", ""),
        (("Guides", "Cloud", "AWS"), "AWS", "aws"),
    ]


def test_files_that_are_not_markdown_or_not_text_are_refused_by_name():
    archive = _read(
        _zip(
            {
                "ok.md": b"fine",
                "notes.txt": b"text",
                "binary.md": b"\xff\xfe\x00bad",
                "ok.attachments/evil.exe": b"MZ...",
                "ghost.attachments/a.png": PNG,
                "__MACOSX/._ok.md": b"noise",
                ".DS_Store": b"noise",
            }
        )
    )
    assert [page.title for page in archive.pages] == ["ok"]
    reasons = dict(archive.refused)
    assert set(reasons) == {
        "notes.txt",
        "binary.md",
        "ok.attachments/evil.exe",
        "ghost.attachments/a.png",
    }
    assert "Markdown" in reasons["notes.txt"]
    assert "UTF-8" in reasons["binary.md"]
    assert reasons["ok.attachments/evil.exe"] == "not an allowed type"


def test_path_tricks_links_and_encryption_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("../escape.md", b"x")
        archive.writestr("/etc/passwd.md", b"x")
        archive.writestr("C:/windows.md", b"x")
        archive.writestr("a/../../b.md", b"x")
        link = zipfile.ZipInfo("link.md")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, b"/etc/passwd")
        archive.writestr("secret.md", b"x")
    # zipfile cannot write an encrypted entry: set the flag in the central directory.
    data = bytearray(out.getvalue())
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1
    archive = _read(bytes(data))
    assert archive.pages == []
    assert [name for name, _reason in archive.refused] == [
        "../escape.md",
        "/etc/passwd.md",
        "C:/windows.md",
        "a/../../b.md",
        "link.md",
        "secret.md",
    ]


def test_a_zip_bomb_is_stopped_by_the_bytes_read_not_the_directory(monkeypatch):
    bomb = _zip({"bomb.md": b"a" * (transfer.MAX_PAGE_BYTES + 10)})
    assert len(bomb) < 10_000
    # Make the directory lie: it claims a tiny file.
    data = bytearray(bomb)
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    archive = _read(bytes(data))
    assert archive.pages == []
    assert archive.refused[0][0] == "bomb.md"


def test_too_much_unpacked_in_all_refuses_the_archive(monkeypatch):
    monkeypatch.setattr(transfer, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ArchiveError):
        _read(_zip({f"p{i}.md": b"x" * 400 for i in range(5)}))


def test_a_broken_or_oversized_zip_is_an_archive_error(monkeypatch):
    with pytest.raises(ArchiveError):
        _read(b"this is not a zip")
    with pytest.raises(ArchiveError):
        _read(_zip({"a.md": b"x"})[:-30])
    monkeypatch.setattr(transfer, "MAX_ENTRIES", 2)
    with pytest.raises(ArchiveError):
        _read(_zip({"a.md": b"", "b.md": b"", "c.md": b""}))


def test_korean_names_from_windows_zips_are_read_as_cp949():
    # Korean Windows writes names in CP949 without the UTF-8 flag: write an ASCII name of
    # the same length, then put the CP949 bytes in its place.
    name = "백업.md".encode("cp949")
    data = _zip({"abcd.md": b"body"}).replace(b"abcd.md", name)
    archive = _read(data)
    assert [page.title for page in archive.pages] == ["백업"]
