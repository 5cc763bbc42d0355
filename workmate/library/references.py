"""Page references: recording the links a text makes, "referenced by", and rendering.

A text is a part of a page, task, ticket or proposal (see `PageLink`). Saving it calls
`do_record_links`, which replaces that part's links:

1. read the text's targets (`links.find_targets`): `[[Title]]` labels and page addresses;
2. a label this part already resolved keeps its page (so the text's `[[Old title]]`
   still reaches a renamed page); a new label goes to the page of that title the writer
   may see, in the same space first, then the oldest; none: the link waits for one;
3. an address counts when its page exists and the writer may see it;
4. the part's rows are replaced, and `page_referenced` is sent for each page the source
   (all its parts) did not link to before.

Pages, tasks, tickets and proposals are watched through `post_save` (`receivers`), so
every way of writing them (forms, API, imports) records their links without the apps
below the library knowing about it.

"Referenced by" lists only what the reader may see: a page in a private space they are
not a member of is left out entirely (title and all), as are tasks, tickets and
proposals the inbox's visibility rules hide from them.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse

from workmate.accounts.models import User
from workmate.inbox import visibility
from workmate.library import links
from workmate.library.models import LinkSource, Page, PageLink, Space, SpaceKind
from workmate.library.signals import page_referenced


def _site_host() -> str:
    return urlsplit(settings.SITE_URL).netloc


def _pages_for(writer: User | None) -> models.QuerySet[Page]:
    """Pages a link written by `writer` may reach: those they may see; for a text whose
    writer is unknown (a task description), those outside private spaces."""
    if writer is None:
        return Page.objects.exclude(space__kind=SpaceKind.PRIVATE)
    return Page.objects.visible_to(writer)


def _by_title(labels: list[str], writer: User | None, space_id: int | None) -> dict[str, int]:
    """The page each label names (normalised label -> page id), in one query."""
    if not labels:
        return {}
    wanted = functools.reduce(operator.or_, (Q(title__iexact=label) for label in labels))
    found: dict[str, int] = {}
    candidates = _pages_for(writer).filter(wanted).values_list("pk", "title", "space_id")
    # Same space first, then the oldest page: a stable choice between namesakes.
    for pk, title, _space in sorted(candidates, key=lambda row: (row[2] != space_id, row[0])):
        found.setdefault(links.normalise_title(title), pk)
    return found


def _source_object(kind: str, source_id: int) -> models.Model | None:
    from workmate.desk.models import Ticket
    from workmate.voice.models import Proposal
    from workmate.work.models import Task

    model = {
        LinkSource.PAGE: Page,
        LinkSource.TASK: Task,
        LinkSource.TICKET: Ticket,
        LinkSource.PROPOSAL: Proposal,
    }[LinkSource(kind)]
    return model.objects.filter(pk=source_id).first()


@transaction.atomic
def do_record_links(
    *,
    kind: str,
    source_id: int,
    text: str,
    writer: User | None,
    part: str = "",
    source: models.Model | None = None,
) -> list[PageLink]:
    """Replace the links of one part of a source with those its text makes now."""
    targets = links.find_targets(text, site_host=_site_host())
    source_page_id = source_id if kind == LinkSource.PAGE else None
    mine = PageLink.objects.filter(source_kind=kind, source_id=source_id, part=part)
    if not targets:
        mine.delete()
        return []
    before = list(
        PageLink.objects.filter(source_kind=kind, source_id=source_id).values_list(
            "part", "label", "target_id"
        )
    )
    kept = {links.normalise_title(label): target for p, label, target in before if p == part}
    linked_before = {target for _p, _label, target in before if target is not None}
    space_id = None
    if source_page_id is not None:
        space_id = Page.objects.filter(pk=source_page_id).values_list("space_id", flat=True).first()
    new_labels = [
        t.label for t in targets if t.label and kept.get(links.normalise_title(t.label)) is None
    ]
    titled = _by_title(new_labels, writer, space_id)
    addressed = set(
        _pages_for(writer)
        .filter(pk__in=[t.page_id for t in targets if t.page_id is not None])
        .values_list("pk", flat=True)
    )
    rows: list[PageLink] = []
    for target in targets:
        if target.label:
            key = links.normalise_title(target.label)
            page_id = kept.get(key) or titled.get(key)
            label = target.label[:200]
        elif target.page_id in addressed:
            page_id, label = target.page_id, ""
        else:
            continue
        if page_id is not None and page_id == source_page_id:
            continue  # A page mentioning itself is no reference.
        rows.append(
            PageLink(
                target_id=page_id,
                label=label,
                source_kind=kind,
                source_id=source_id,
                part=part,
                source_page_id=source_page_id,
                created_by=writer,
            )
        )
    mine.delete()
    PageLink.objects.bulk_create(rows)
    new_targets = {row.target_id for row in rows if row.target_id is not None} - linked_before
    if new_targets:
        if source is None:
            source = _source_object(kind, source_id)
        for page in Page.objects.filter(pk__in=new_targets):
            page_referenced.send(sender=Page, instance=page, actor=writer, source=source)
    return rows


@transaction.atomic
def do_resolve_waiting_links(page: Page) -> int:
    """Give the links waiting for `page`'s title their page, where their writer may see
    it; returns how many. Called when a page is made or renamed."""
    waiting = list(
        PageLink.objects.filter(target__isnull=True, label__iexact=page.title).select_related(
            "created_by"
        )
    )
    if not waiting:
        return 0
    title = links.normalise_title(page.title)
    resolved = []
    for link in waiting:
        if links.normalise_title(link.label) != title:
            continue
        if link.source_kind == LinkSource.PAGE and link.source_id == page.pk:
            continue
        writer = link.created_by
        may_see = page.space.can_view(writer) if writer else page.space.kind != SpaceKind.PRIVATE
        if may_see:
            link.target = page
            resolved.append(link)
    PageLink.objects.bulk_update(resolved, ["target"])
    for source_key in {(link.source_kind, link.source_id, link.created_by) for link in resolved}:
        kind, source_id, writer = source_key
        page_referenced.send(
            sender=Page, instance=page, actor=writer, source=_source_object(kind, source_id)
        )
    return len(resolved)


# --- Reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """One entry of "referenced by": what links to the page, as the reader may see it."""

    kind: str
    pk: int
    title: str
    url: str
    context: str = ""

    @property
    def kind_label(self) -> str:
        return str(LinkSource(self.kind).label)


_SOURCE_URLS = {
    LinkSource.TASK: "work:task",
    LinkSource.TICKET: "desk:ticket",
    LinkSource.PROPOSAL: "voice:proposal",
}


def referenced_by(page: Page, viewer: User) -> list[Reference]:
    """What links to `page` that `viewer` may see: pages first, then tasks, tickets and
    proposals, each once, newest link first. A fixed number of queries however many."""
    rows = list(
        PageLink.objects.filter(target=page)
        .filter(
            ~Q(source_kind=LinkSource.PAGE)
            | Q(source_page__space__in=Space.objects.visible_to(viewer))
        )
        .select_related("source_page__space")
        .order_by("-created_at", "-pk")
        .only(
            "source_kind",
            "source_id",
            "source_page__title",
            "source_page__space__name",
        )
    )
    references: dict[tuple[str, int], Reference] = {}
    others: dict[str, list[int]] = {}
    for row in rows:
        if row.source_kind == LinkSource.PAGE:
            source = row.source_page
            references.setdefault(
                (row.source_kind, row.source_id),
                Reference(
                    row.source_kind,
                    source.pk,
                    source.title,
                    source.get_absolute_url(),
                    source.space.name,
                ),
            )
        else:
            others.setdefault(row.source_kind, []).append(row.source_id)
    if others:
        seen = visibility.visible(
            (viewer, f"{kind}:{source_id}") for kind, ids in others.items() for source_id in ids
        )
        for kind, ids in others.items():
            allowed = [pk for pk in dict.fromkeys(ids) if (viewer.pk, f"{kind}:{pk}") in seen]
            for pk, title in _titles(kind, allowed):
                references[(kind, pk)] = Reference(
                    kind, pk, title, reverse(_SOURCE_URLS[kind], args=[pk])
                )
    order = [LinkSource.PAGE, LinkSource.TASK, LinkSource.TICKET, LinkSource.PROPOSAL]
    return sorted(references.values(), key=lambda ref: order.index(LinkSource(ref.kind)))


def _titles(kind: str, ids: list[int]) -> list[tuple[int, str]]:
    if not ids:
        return []
    from workmate.desk.models import Ticket
    from workmate.voice.models import Proposal
    from workmate.work.models import Task

    if kind == LinkSource.TASK:
        rows = Task.objects.filter(pk__in=ids).values_list("pk", "title")
    elif kind == LinkSource.TICKET:
        rows = Ticket.objects.filter(pk__in=ids).values_list("pk", "subject")
    else:
        rows = Proposal.objects.filter(pk__in=ids).values_list("pk", "title")
    titles = dict(rows)
    return [(pk, titles[pk]) for pk in ids if pk in titles]


def link_targets(kind: str, source_id: int, viewer: User) -> dict[str, str]:
    """For rendering a source's text: normalised label -> address of its page, for the
    labels whose page `viewer` may see (one query)."""
    rows = (
        PageLink.objects.filter(source_kind=kind, source_id=source_id, target__isnull=False)
        .exclude(label="")
        .filter(target__space__in=Space.objects.visible_to(viewer))
        .values_list("label", "target_id")
    )
    return {
        links.normalise_title(label): reverse("library:page", args=[target])
        for label, target in rows
    }


def link_rows(kind: str, source_ids: list[int], viewer: User) -> list[tuple[int, str, str]]:
    """For rendering many sources at once: (source id, normalised label, address) of
    their resolved `[[labels]]` whose page `viewer` may see (one query)."""
    rows = (
        PageLink.objects.filter(source_kind=kind, source_id__in=source_ids, target__isnull=False)
        .exclude(label="")
        .filter(target__space__in=Space.objects.visible_to(viewer))
        .values_list("source_id", "label", "target_id")
    )
    return [
        (source_id, links.normalise_title(label), reverse("library:page", args=[target]))
        for source_id, label, target in rows
    ]


def render_text(text: str, kind: str, source_id: int, viewer: User) -> str:
    """The Markdown `text` with its `[[Title]]` links written as links for `viewer`."""
    if "[[" not in (text or ""):
        return text or ""
    hrefs = link_targets(kind, source_id, viewer)
    return links.render_wikilinks(text, lambda label: hrefs.get(links.normalise_title(label)))


def page_text(page: Page, viewer: User) -> str:
    """The page's current text, its `[[Title]]` links written as links for `viewer`."""
    revision = page.current_revision
    return render_text(revision.body if revision else "", LinkSource.PAGE, page.pk, viewer)
