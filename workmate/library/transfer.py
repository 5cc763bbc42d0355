"""Pages in and out as a zip of Markdown files.

The layout, written by `write_archive` and read by `read_archive`:

    Runbooks.md                   a page (its children sit in the folder of its name)
    Runbooks/Backup.md            a child page
    Runbooks/Backup.attachments/  the files attached to Runbooks/Backup.md
    Runbooks/Restore/Steps.md     a folder without its own .md becomes an empty page

Each Markdown file starts with a small front matter block holding the page's title
(`---` / `title: …` / `---`), because a file name cannot hold every title (a `/`, a
trailing dot); a file without one takes its title from its name.

Reading is careful, because a zip is made by someone else: the archive and each file in
it have size limits that are checked on the bytes actually read, not on what the zip's
directory claims (a zip bomb lies there); names that climb out (`../`), start at the root
(`/etc/…`, `C:`), are links or are encrypted are refused by name, as is anything that is
not Markdown or an attachment of a page. A zip that cannot be read at all is an
`ArchiveError`. Nothing here touches the database or the disk.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _

MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_PAGE_BYTES = 1024 * 1024
MAX_DEPTH = 12
MAX_TITLE = 200
MARKDOWN_SUFFIXES = (".md", ".markdown")
ATTACHMENTS_SUFFIX = ".attachments"
# What archivers add beside the files; skipped without a word.
_NOISE = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"}
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_TITLE_LINE_RE = re.compile(r"^title:[ \t]*(.*?)[ \t]*$", re.M)
_UNSAFE_NAME_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


class ArchiveError(Exception):
    """The upload is not a zip that can be read, or breaks a limit as a whole."""


@dataclass
class ImportedPage:
    """One page found in an archive: its place in the tree (titles from the top)."""

    # The names of the folders above it and its own (file name without .md): its parent
    # is the page at `path[:-1]`.
    path: tuple[str, ...]
    title: str
    body: str = ""
    # The file the page came from, or the folder for a page made to hold children.
    source: str = ""
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class Archive:
    pages: list[ImportedPage] = field(default_factory=list)
    # (name in the zip, why it was not taken), in the zip's order.
    refused: list[tuple[str, str]] = field(default_factory=list)


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its writer meant it: zips made on Korean Windows store names
    in CP949 without saying so (Python then reads them as CP437)."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            return name
        for encoding in ("utf-8", "cp949"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    return name


def _split(name: str) -> tuple[str, ...] | None:
    """The parts of a path inside the zip, or None when it tries to leave its folder."""
    name = name.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None
    parts = tuple(part for part in name.split("/") if part not in ("", "."))
    if any(part == ".." for part in parts):
        return None
    return parts


def _read_limited(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """The entry's bytes, or None when there are more than `limit` of them, whatever the
    zip's directory says (a bomb claims a small size and inflates far past it)."""
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def _title_and_body(text: str, fallback: str) -> tuple[str, str]:
    match = _FRONT_MATTER_RE.match(text)
    if match is None:
        return fallback, text
    title_line = _TITLE_LINE_RE.search(match.group(1))
    title = title_line.group(1).strip() if title_line else ""
    if len(title) >= 2 and title[0] == title[-1] and title[0] in "\"'":
        title = title[1:-1]
    return (" ".join(title.split()) or fallback), text[match.end() :]


def read_archive(
    upload: IO[bytes], *, attachment_limit: int, check_attachment: Callable[[str, bytes], str]
) -> Archive:
    """The pages and attachments of a zip, and what was refused, by name.

    `check_attachment(name, data)` returns "" for a file that may be attached, or the
    reason it may not (the same checks as any attachment).

    Steps:
    1. Open the zip (ArchiveError when it is not one, too big, or has too many entries).
    2. Sort each entry: noise is skipped; a bad path, a link, an encrypted entry, a file
       over its limit, one that is not UTF-8 Markdown or not under a page's
       `.attachments` folder is refused with its reason.
    3. Markdown files become pages; folders without a file become empty pages; every
       page's ancestors exist, parents before children.
    """
    upload.seek(0, io.SEEK_END)
    if upload.tell() > MAX_ARCHIVE_BYTES:
        raise ArchiveError(
            _("The zip is larger than %(size)d MB.") % {"size": MAX_ARCHIVE_BYTES // 2**20}
        )
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise ArchiveError(_("This file is not a zip that can be opened.")) from error
    if len(infos) > MAX_ENTRIES:
        raise ArchiveError(
            _("The zip holds more than %(count)d files and folders.") % {"count": MAX_ENTRIES}
        )
    result = Archive()
    pages: dict[tuple[str, ...], ImportedPage] = {}
    attachments: list[tuple[tuple[str, ...], str, str, bytes]] = []
    unpacked = 0

    def refuse(name: str, reason: str) -> None:
        result.refused.append((name, reason))

    for info in infos:
        name = _entry_name(info)
        parts = _split(name)
        if parts is None:
            refuse(name, _("its path leaves the zip's folder"))
            continue
        if not parts or any(part in _NOISE or part.startswith("._") for part in parts):
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            refuse(name, _("it is a link, not a file"))
            continue
        if info.is_dir():
            if parts[-1].endswith(ATTACHMENTS_SUFFIX):
                continue
            if len(parts) > MAX_DEPTH:
                refuse(name, _("it is nested too deep"))
                continue
            pages.setdefault(parts, _folder_page(parts))
            continue
        if parts[-1].startswith("."):
            continue
        if info.flag_bits & 0x1:
            refuse(name, _("it is encrypted"))
            continue
        in_attachments = len(parts) >= 2 and parts[-2].endswith(ATTACHMENTS_SUFFIX)
        is_markdown = parts[-1].lower().endswith(MARKDOWN_SUFFIXES)
        if not in_attachments and not is_markdown:
            refuse(name, _("it is not a Markdown file (.md)"))
            continue
        limit = attachment_limit if in_attachments else MAX_PAGE_BYTES
        if unpacked + min(info.file_size, limit) > MAX_UNPACKED_BYTES:
            raise ArchiveError(
                _("The zip unpacks to more than %(size)d MB.")
                % {"size": MAX_UNPACKED_BYTES // 2**20}
            )
        try:
            data = _read_limited(archive, info, limit)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError):
            refuse(name, _("it is damaged in the zip"))
            continue
        if data is None:
            refuse(name, _("it is larger than %(size)d KB") % {"size": limit // 1024})
            continue
        unpacked += len(data)
        if in_attachments:
            page_path = (*parts[:-2], parts[-2][: -len(ATTACHMENTS_SUFFIX)])
            reason = check_attachment(parts[-1], data)
            if reason:
                refuse(name, reason)
            else:
                attachments.append((page_path, parts[-1], name, data))
            continue
        if len(parts) > MAX_DEPTH:
            refuse(name, _("it is nested too deep"))
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            refuse(name, _("it is not UTF-8 text"))
            continue
        if "\x00" in text:
            refuse(name, _("it is not UTF-8 text"))
            continue
        stem = parts[-1].rsplit(".", 1)[0]
        title, body = _title_and_body(text, " ".join(stem.split()))
        path = (*parts[:-1], " ".join(stem.split()))
        if not title or len(title) > MAX_TITLE:
            refuse(name, _("its title is longer than %(max)d characters") % {"max": MAX_TITLE})
            continue
        page = pages.get(path)
        if page is not None and page.source.endswith(MARKDOWN_SUFFIXES):
            refuse(name, _("another file already makes this page"))
            continue
        pages[path] = ImportedPage(path, title, body=body, source=name)
    # Folders that hold pages are pages too, even when the zip lists no entry for them.
    for path in list(pages):
        for depth in range(1, len(path)):
            pages.setdefault(path[:depth], _folder_page(path[:depth]))
    for page_path, file_name, name, data in attachments:
        page = pages.get(page_path)
        if page is None:
            refuse(name, _("there is no page for this attachment"))
            continue
        page.attachments.append((file_name, data))
    # Parents before children; siblings in the zip's name order.
    result.pages = [pages[path] for path in sorted(pages, key=lambda path: (len(path), path))]
    return result


def _folder_page(parts: tuple[str, ...]) -> ImportedPage:
    title = " ".join(parts[-1].split())[:MAX_TITLE]
    return ImportedPage(parts, title, source="/".join(parts) + "/")


@dataclass
class ExportedPage:
    """One page to write: its place in the tree (titles from the top) and its files,
    each a name and a function that opens it for reading."""

    path: tuple[str, ...]
    body: str
    attachments: list[tuple[str, Callable[[], IO[bytes]]]] = field(default_factory=list)


def safe_file_name(title: str) -> str:
    """A title as a file or folder name that works on every system."""
    name = _UNSAFE_NAME_CHARS.sub("-", " ".join(title.split())).strip(" .")
    return name[:120] or "page"


def write_archive(out: IO[bytes], pages: Iterable[ExportedPage]) -> None:
    """Write `pages` (parents before children) into a zip on `out`, in the layout above.

    Two siblings whose titles make the same file name get " (2)", " (3)"… so neither
    overwrites the other; the exact title is in each file's front matter.
    """
    folders: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}
    taken: set[tuple[str, ...]] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for page in pages:
            parent = folders.get(page.path[:-1], ())
            base = safe_file_name(page.path[-1])
            name, number = base, 1
            while (*parent, name.casefold()) in taken:
                number += 1
                name = f"{base} ({number})"
            taken.add((*parent, name.casefold()))
            folder = (*parent, name)
            folders[page.path] = folder
            title = page.path[-1].replace("\n", " ")
            text = f"---\ntitle: {title}\n---\n{page.body}"
            archive.writestr(_zip_info("/".join(folder) + ".md"), text.encode("utf-8"))
            used: set[str] = set()
            for file_name, opener in page.attachments:
                file_name = safe_file_name(file_name)
                stem, dot, suffix = file_name.rpartition(".")
                unique, number = file_name, 1
                while unique.casefold() in used:
                    number += 1
                    unique = f"{stem} ({number}){dot}{suffix}" if dot else f"{file_name} ({number})"
                used.add(unique.casefold())
                info = _zip_info("/".join(folder) + ATTACHMENTS_SUFFIX + "/" + unique)
                with opener() as source, archive.open(info, "w") as target:
                    while chunk := source.read(1024 * 1024):
                        target.write(chunk)


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info
