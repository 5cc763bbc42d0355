"""Export and import: a page (with the pages under it) or a whole space as a zip of
Markdown files with their attachments, or as one printable HTML page; and a zip of
Markdown files imported into a space, keeping its folders as the page tree.

The zip's layout and its safety checks are in `transfer`; this module reads and writes
the database. An import runs in one transaction: either every page it reports as made
is there, or (on an unexpected error) none is and no stored file is left behind.
Files it refuses are reported by name with the reason, in a `PageImport` row that the
summary page shows.
"""

from __future__ import annotations

import mimetypes
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from workmate.accounts.models import User
from workmate.library import references, services, transfer
from workmate.library.models import LinkSource, Page, PageAttachment, PageImport, Space
from workmate.library.rendering import render_page
from workmate.work.services import check_attachment

ZIP_CONTENT_TYPES = {
    "application/zip",
    "application/x-zip-compressed",
    "application/x-zip",
    "application/octet-stream",
    "multipart/x-zip",
}


@dataclass
class Node:
    """A page in tree order with its depth and its titles from the exported top."""

    page: Page
    depth: int
    path: tuple[str, ...]

    @property
    def body(self) -> str:
        revision = self.page.current_revision
        return revision.body if revision is not None else ""


def tree(space: Space, root: Page | None = None) -> list[Node]:
    """The pages of `space` (or `root` and the pages under it) in tree order: parents
    before children, siblings by position then title. Two queries (pages with their
    current text, then the attachments)."""
    pages = list(
        Page.objects.filter(space=space)
        .select_related("current_revision")
        .prefetch_related("attachments")
        .order_by("position", "title", "pk")
    )
    children: dict[int | None, list[Page]] = defaultdict(list)
    for page in pages:
        children[page.parent_id].append(page)
    nodes: list[Node] = []

    def walk(page: Page, depth: int, path: tuple[str, ...]) -> None:
        nodes.append(Node(page, depth, (*path, page.title)))
        for child in children.get(page.pk, []):
            walk(child, depth + 1, (*path, page.title))

    if root is not None:
        top = next((page for page in pages if page.pk == root.pk), None)
        if top is None:
            raise Http404("No such page.")
        walk(top, 0, ())
    else:
        for page in children.get(None, []):
            walk(page, 0, ())
    return nodes


def export_zip(nodes: list[Node]) -> IO[bytes]:
    """The pages as a zip (in a temporary file, at its start)."""
    # Closed by the FileResponse that sends it.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    transfer.write_archive(
        out,
        [
            transfer.ExportedPage(
                node.path,
                node.body,
                [
                    (attachment.name, _opener(attachment))
                    for attachment in node.page.attachments.all()
                ],
            )
            for node in nodes
        ],
    )
    out.seek(0)
    return out


def _opener(attachment: PageAttachment):
    return lambda: attachment.file.open("rb")


@dataclass
class PrintedPage:
    node: Node
    html: str


def printable(nodes: list[Node], viewer: User) -> list[PrintedPage]:
    """Each page's text rendered for print, `[[links]]` included (one query for them)."""
    ids = [node.page.pk for node in nodes]
    hrefs: dict[int, dict[str, str]] = defaultdict(dict)
    for source_id, label, href in references.link_rows(LinkSource.PAGE, ids, viewer):
        hrefs[source_id][label] = href
    printed = []
    for node in nodes:
        known = hrefs.get(node.page.pk, {})
        text = references.links.render_wikilinks(
            node.body, lambda label, known=known: known.get(references.links.normalise_title(label))
        )
        printed.append(PrintedPage(node, render_page(text).html))
    return printed


# --- Import ----------------------------------------------------------------------------


def _attachment_refusal(name: str, data: bytes) -> str:
    """ "" when the file may be attached (the checks of every attachment), else why not."""
    declared = mimetypes.guess_type(name)[0] or "application/octet-stream"
    try:
        check_attachment(SimpleUploadedFile(name, data, content_type=declared))
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def check_upload(upload: UploadedFile) -> None:
    name = (upload.name or "").lower()
    if not name.endswith(".zip") and (upload.content_type or "") not in ZIP_CONTENT_TYPES:
        raise ValidationError({"file": _("Upload a .zip file of Markdown files.")})
    if upload.size and upload.size > transfer.MAX_ARCHIVE_BYTES:
        raise ValidationError(
            {
                "file": _("The zip is larger than %(size)d MB.")
                % {"size": transfer.MAX_ARCHIVE_BYTES // 2**20}
            }
        )


def do_import_zip(
    actor: User, space: Space, upload: UploadedFile, *, parent: Page | None = None
) -> PageImport:
    """Import a zip of Markdown files into `space` (under `parent`), keeping its tree.

    Steps:
    1. Check the actor may write here and the parent is in the space.
    2. Read the zip (`transfer.read_archive`): a broken or oversized zip is refused as a
       whole (a form error); files that are not Markdown, unsafe or too big are refused
       by name.
    3. In one transaction, make the pages parents first (a page whose parent was
       refused is refused too, by name), then their attachments, then the summary row.
    4. On an unexpected error, the transaction rolls back and the files already stored
       are deleted.
    """
    services.check_can_write(actor, space)
    if parent is not None and parent.space_id != space.pk:
        raise ValidationError({"parent": _("The parent page is in another space.")})
    check_upload(upload)
    try:
        archive = transfer.read_archive(
            upload,
            attachment_limit=settings.WORK_ATTACHMENT_MAX_BYTES,
            check_attachment=_attachment_refusal,
        )
    except transfer.ArchiveError as error:
        raise ValidationError({"file": str(error)}) from error
    stored: list[PageAttachment] = []
    try:
        with transaction.atomic():
            result = _write(actor, space, parent, archive, stored)
            result.file_name = (upload.name or "upload.zip")[:255]
            result.save()
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return result


def _write(
    actor: User,
    space: Space,
    parent: Page | None,
    archive: transfer.Archive,
    stored: list[PageAttachment],
) -> PageImport:
    made: dict[tuple[str, ...], Page] = {}
    created: list[list] = []
    refused: list[list[str]] = [[name, reason] for name, reason in archive.refused]
    summary = _("Imported")
    for item in archive.pages:
        above = item.path[:-1]
        if above and above not in made:
            refused.append([item.source, _("its parent page was not imported")])
            continue
        try:
            page = services.do_create_page(
                actor,
                space,
                title=item.title,
                body=item.body,
                summary=summary,
                parent=made.get(above, parent),
            )
        except ValidationError as error:
            refused.append([item.source, " ".join(error.messages)])
            continue
        made[item.path] = page
        created.append(
            [
                page.pk,
                " / ".join(made[item.path[:depth]].title for depth in range(1, len(item.path) + 1)),
            ]
        )
        for name, data in item.attachments:
            declared = mimetypes.guess_type(name)[0] or "application/octet-stream"
            upload = SimpleUploadedFile(name, data, content_type=declared)
            try:
                attachment = services.do_add_attachment(actor, page, upload)
            except ValidationError as error:
                refused.append([f"{item.source}: {name}", " ".join(error.messages)])
                continue
            stored.append(attachment)
    return PageImport(
        space=space, parent=parent, created_by=actor, created_pages=created, refused=refused
    )


def get_import_for_user(user: User, space: Space, pk: int) -> PageImport:
    """An import's summary, for whoever made it (in a space they may still read)."""
    found = PageImport.objects.filter(pk=pk, space=space, created_by=user).first()
    if found is None:
        raise Http404("No such import.")
    return found
