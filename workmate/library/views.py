"""Library pages: spaces, a space's home with its page tree, pages, editing, history.

Thin views: each fetches through the access helpers of `services`, calls one service
function and renders. A private space's pages are 404 to non-members everywhere, since
`get_space_for_user` and `get_page_for_user` never find them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.accounts.models import Team
from workmate.lib.apitypes import parse_id
from workmate.lib.downloads import safe_download
from workmate.library import references, services
from workmate.library.collation import korean_order
from workmate.library.forms import (
    AttachmentForm,
    MemberForm,
    MoveForm,
    PageForm,
    PageSettingsForm,
    SpaceFilterForm,
    SpaceForm,
    SpaceSettingsForm,
)
from workmate.library.models import (
    Page,
    Revision,
    RevisionStatus,
    Space,
    SpaceKind,
    Tag,
    TrustState,
)
from workmate.library.rendering import diff_texts, render_page
from workmate.work.forms import add_service_errors

RECENT = 10
REVIEW_LIST = 20
HISTORY_PAGE_SIZE = 50
LIST_PAGE_SIZE = 50


def _id_param(request: HttpRequest, name: str) -> int | None:
    return parse_id(request.GET.get(name, "") or request.POST.get(name, ""))


# --- Spaces ----------------------------------------------------------------------------


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Every space the viewer may read, with how many pages it has and how many need review."""
    today = services.today()
    spaces = (
        Space.objects.visible_to(request.user)
        .select_related("team")
        .annotate(
            page_count=Count("pages"),
            review_count=Count(
                "pages",
                filter=Q(pages__trust_state=TrustState.NEEDS_REVIEW)
                | Q(pages__verified_until__lt=today),
            ),
        )
        .order_by(korean_order("name"), "pk")
    )
    return render(request, "library/home.html", {"spaces": spaces})


def _space_form(request: HttpRequest) -> SpaceForm:
    form = SpaceForm(request.POST or None)
    # Only the teams the person leads (or every team for the admin) can get a team space.
    teams = Team.objects.all()
    if not request.user.is_superuser:
        teams = teams.filter(memberships__user=request.user, memberships__role="lead")
    form.fields["team"].queryset = teams
    kinds = [(SpaceKind.PRIVATE.value, SpaceKind.PRIVATE.label)]
    if teams.exists():
        kinds.insert(0, (SpaceKind.TEAM.value, SpaceKind.TEAM.label))
    if request.user.is_executive:
        kinds.insert(0, (SpaceKind.ORG.value, SpaceKind.ORG.label))
    form.fields["kind"].choices = kinds
    return form


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def space_new(request: HttpRequest) -> HttpResponse:
    form = _space_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            space = services.do_create_space(
                request.user,
                name=data["name"],
                key=data["key"],
                kind=data["kind"],
                team=data["team"],
                description=data["description"],
                requires_approval=data["requires_approval"],
                review_interval_days=data["review_interval_days"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(space.get_absolute_url())
    return render(request, "library/space_form.html", {"form": form})


@login_required
@require_safe
def space(request: HttpRequest, key: str) -> HttpResponse:
    """A space's home: its tree, pages needing review (at the top), recently changed
    pages, drafts waiting for the editors; filtered by state or tag."""
    space = services.get_space_for_user(request.user, key)
    today = services.today()
    filters = SpaceFilterForm(request.GET or None)
    state = tag = ""
    if filters.is_valid():
        state, tag = filters.cleaned_data["state"], filters.cleaned_data["tag"].strip()
    pages = Page.objects.filter(space=space)
    context = {
        "space": space,
        "filters": filters,
        "can_write": space.can_write(request.user),
        "is_editor": space.is_editor(request.user),
        "today": today,
    }
    if state or tag:
        if state == TrustState.VERIFIED:
            pages = pages.verified(today)
        elif state == TrustState.NEEDS_REVIEW:
            pages = pages.needs_review(today)
        if tag:
            pages = pages.filter(tags__name__iexact=tag)
        listing = Paginator(
            pages.select_related("owner").order_by(korean_order("title"), "pk"), LIST_PAGE_SIZE
        ).get_page(request.GET.get("page"))
        context |= {"filtered": listing, "state": state, "tag": tag}
        return render(request, "library/space.html", context)
    context |= {
        "tree": services.space_tree(space, today),
        "to_review": list(
            pages.needs_review(today)
            .select_related("owner")
            .order_by("verified_until", "updated_at", "pk")[:REVIEW_LIST]
        ),
        "recent": list(pages.select_related("owner").order_by("-updated_at", "-pk")[:RECENT]),
        "drafts": list(
            Revision.objects.filter(page__space=space, status=RevisionStatus.DRAFT)
            .select_related("page", "author")
            .order_by("created_at", "pk")[:REVIEW_LIST]
        )
        if context["is_editor"]
        else [],
    }
    return render(request, "library/space.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def space_settings(request: HttpRequest, key: str) -> HttpResponse:
    space = services.get_space_for_editor(request.user, key)
    form = SpaceSettingsForm(
        request.POST or None,
        initial={
            "name": space.name,
            "description": space.description,
            "requires_approval": space.requires_approval,
            "review_interval_days": space.review_interval_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_space(request.user, space, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved the space's settings."))
            return redirect("library:space_settings", key=space.key)
    members = space.memberships.select_related("user").order_by("user__full_name")
    return render(
        request,
        "library/space_settings.html",
        {"space": space, "form": form, "members": members, "member_form": MemberForm()},
    )


@login_required
@require_POST
def space_member(request: HttpRequest, key: str) -> HttpResponse:
    """Add a person to the space or change their role; `remove` takes them out."""
    space = services.get_space_for_editor(request.user, key)
    form = MemberForm(request.POST)
    if form.is_valid():
        role = None if request.POST.get("remove") else form.cleaned_data["role"]
        try:
            services.do_set_space_member(request.user, space, form.cleaned_data["email"], role)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved who is in the space."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("library:space_settings", key=space.key)


@login_required
@require_POST
def space_reorder(request: HttpRequest, key: str) -> HttpResponse:
    """The tree's arrows: `move=<page id>:<index>` moves a page among its siblings."""
    space = services.get_space_for_user(request.user, key)
    services.check_can_write(request.user, space)
    pk_text, _sep, index_text = request.POST.get("move", "").partition(":")
    pk, index = parse_id(pk_text), parse_id(index_text) if index_text != "0" else 0
    page = Page.objects.filter(space=space, pk=pk).first() if pk else None
    if page is None or index is None or index > 100_000:
        messages.error(request, _("That page cannot be moved from here."))
        return redirect(space.get_absolute_url())
    services.do_move_page(request.user, page, parent=page.parent, index=index)
    return redirect(space.get_absolute_url())


# --- Pages -----------------------------------------------------------------------------


@login_required
@require_safe
def page(request: HttpRequest, pk: int) -> HttpResponse:
    """A page: breadcrumbs, the trust banner, its outline, text, tags, attachments and
    the pages under it."""
    page = services.get_page_for_user(request.user, pk)
    space = page.space
    revision = page.current_revision
    rendered = render_page(references.page_text(page, request.user))
    context = {
        "page": page,
        "space": space,
        "revision": revision,
        "rendered": rendered,
        "crumbs": services.ancestors(page),
        "tags": list(page.tags.all()),
        "attachments": list(page.attachments.select_related("uploaded_by")),
        "children": list(
            page.children.order_by("position", korean_order("title"), "pk").only(
                "pk", "title", "parent_id"
            )
        ),
        "drafts": list(
            page.revisions.filter(status=RevisionStatus.DRAFT)
            .select_related("author")
            .order_by("number")
        ),
        "verified": page.is_verified(services.today()),
        "can_write": space.can_write(request.user),
        "can_manage": services.can_manage_page(request.user, page),
        "is_editor": space.is_editor(request.user),
        "attachment_form": AttachmentForm(),
    }
    return render(request, "library/page.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def page_new(request: HttpRequest, key: str) -> HttpResponse:
    space = services.get_space_for_user(request.user, key)
    services.check_can_write(request.user, space)
    parent = None
    if parent_id := _id_param(request, "parent"):
        parent = Page.objects.filter(space=space, pk=parent_id).first()
        if parent is None:
            raise Http404("No such parent page.")
    form = PageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            page = services.do_create_page(
                request.user,
                space,
                title=data["title"],
                body=data["body"],
                summary=data["summary"],
                parent=parent,
                tags=data["tags"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if page.current_revision_id is None:
                messages.info(request, _("Saved. The page waits for an editor's approval."))
            return redirect(page.get_absolute_url())
    return render(
        request,
        "library/page_form.html",
        {
            "form": form,
            "space": space,
            "parent": parent,
            "space_editor": space.is_editor(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def page_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a page. Saving from a revision that is no longer the current one is refused:
    the form comes back with the typed text, the other person's change beside it and
    the base moved to the current revision, so a hand merge then saves."""
    page = services.get_page_for_user(request.user, pk)
    space = page.space
    services.check_can_write(request.user, space)
    current = page.current_revision
    conflict = None
    if request.method == "POST":
        form = PageForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                revision = services.do_save_page(
                    request.user,
                    page,
                    base_number=data["base_number"],
                    title=data["title"],
                    body=data["body"],
                    summary=data["summary"],
                )
                services.do_set_tags(request.user, page, data["tags"])
            except services.StaleEdit as stale:
                conflict = _conflict(page, stale, data)
                # The same text again, now based on the current revision: once the
                # editor has brought the other change in, saving goes through.
                resubmit = request.POST.copy()
                resubmit["base_number"] = str(stale.current.number if stale.current else 0)
                form = PageForm(resubmit)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "%(person)s saved this page while you were editing it. Nothing of "
                        "yours was saved: your text is below. Bring their change into it "
                        "and save again."
                    )
                    % {"person": stale.current.author if stale.current else _("Someone")},
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if revision is None:
                    messages.info(request, _("Nothing changed."))
                elif revision.is_draft:
                    messages.info(
                        request, _("Saved as a draft; it waits for an editor's approval.")
                    )
                return redirect(page.get_absolute_url())
    else:
        form = PageForm(
            initial={
                "title": current.title if current else page.title,
                "body": current.body if current else "",
                "tags": ", ".join(tag.name for tag in page.tags.all()),
                "base_number": current.number if current else 0,
            }
        )
    return render(
        request,
        "library/page_form.html",
        {
            "form": form,
            "space": space,
            "page": page,
            "conflict": conflict,
            "crumbs": services.ancestors(page),
            "space_editor": space.is_editor(request.user),
        },
    )


def _conflict(page: Page, stale: services.StaleEdit, data: dict) -> dict:
    """What the refused editor needs for a hand merge: who saved, what they changed
    (from the editor's base to now) and how the typed text differs from the current."""
    current = stale.current
    base = (
        Revision.objects.filter(page=page, number=stale.base_number).first()
        if stale.base_number
        else None
    )
    current_body = current.body if current else ""
    return {
        "current": current,
        "base": base,
        "theirs": diff_texts(base.body if base else "", current_body),
        "title_changed": base is not None and current is not None and base.title != current.title,
        "current_body": current_body,
        "yours": diff_texts(current_body, data["body"]),
    }


@login_required
@require_safe
def page_history(request: HttpRequest, pk: int) -> HttpResponse:
    page = services.get_page_for_user(request.user, pk)
    revisions = Paginator(
        page.revisions.select_related("author", "approved_by").order_by("-number"),
        HISTORY_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "library/history.html",
        {
            "page": page,
            "space": page.space,
            "revisions": revisions,
            "can_write": page.space.can_write(request.user),
            "is_editor": page.space.is_editor(request.user),
            "current_number": page.current_revision.number if page.current_revision else 0,
        },
    )


@login_required
@require_safe
def page_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """The difference between two revisions (`from`, `to`), side by side or inline."""
    page = services.get_page_for_user(request.user, pk)
    numbers = [_number(request.GET.get("from")), _number(request.GET.get("to"))]
    if None in numbers:
        raise Http404("Choose two revisions.")
    found = {
        r.number: r for r in page.revisions.filter(number__in=numbers).select_related("author")
    }
    if len(found) != len(set(numbers)):
        raise Http404("No such revision.")
    old, new = found[numbers[0]], found[numbers[1]]
    layout = "inline" if request.GET.get("view") == "inline" else "side"
    diff = diff_texts(old.body, new.body)
    return render(
        request,
        "library/diff.html",
        {
            "page": page,
            "space": page.space,
            "old": old,
            "new": new,
            "diff": diff,
            "rows": diff.inline() if layout == "inline" else diff.rows,
            "layout": layout,
        },
    )


def _number(text: str | None) -> int | None:
    number = parse_id(text or "")
    return number if number is not None and number < 2**31 else None


@login_required
@require_safe
def page_revision(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    page = services.get_page_for_user(request.user, pk)
    revision = services.get_revision(page, number)
    return render(
        request,
        "library/revision.html",
        {
            "page": page,
            "space": page.space,
            "revision": revision,
            "rendered": render_page(revision.body),
            "can_write": page.space.can_write(request.user),
            "is_editor": page.space.is_editor(request.user),
            "current_number": page.current_revision.number if page.current_revision else 0,
        },
    )


@login_required
@require_POST
def page_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    page = services.get_page_for_user(request.user, pk)
    try:
        revision = services.do_restore_revision(
            request.user, page, number, base_number=_id_param(request, "base_number") or 0
        )
    except services.StaleEdit as stale:
        messages.error(
            request,
            _("The page changed (now revision %(number)s) since you looked; nothing was restored.")
            % {"number": stale.current.number if stale.current else 0},
        )
        return redirect("library:history", pk=page.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("library:history", pk=page.pk)
    if revision is None:
        messages.info(request, _("That revision is what the page says now."))
    else:
        messages.success(request, _("Restored revision %(number)s.") % {"number": number})
    return redirect(page.get_absolute_url())


@login_required
@require_POST
def revision_decide(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """An editor approves (`approve`) or turns down a draft revision."""
    page = services.get_page_for_user(request.user, pk)
    revision = services.get_revision(page, number)
    try:
        if request.POST.get("decision") == "approve":
            services.do_approve_revision(request.user, revision)
            messages.success(request, _("Approved and published."))
        else:
            services.do_reject_revision(request.user, revision)
            messages.success(request, _("Turned the edit down; the page stays as it was."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(page.get_absolute_url())


@login_required
@require_POST
def page_verify(request: HttpRequest, pk: int) -> HttpResponse:
    page = services.get_page_for_user(request.user, pk)
    try:
        page = services.do_verify_page(request.user, page)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Verified until %(date)s.") % {"date": page.verified_until})
    return redirect(page.get_absolute_url())


@login_required
@require_POST
def page_flag(request: HttpRequest, pk: int) -> HttpResponse:
    page = services.get_page_for_user(request.user, pk)
    services.do_flag_page(request.user, page)
    messages.success(request, _("Marked as needing review; the owner is told."))
    return redirect(page.get_absolute_url())


def _move_choices(page: Page) -> list[tuple[str, str]]:
    """Every page the page may go under: not itself nor one of its descendants."""
    excluded = services.descendant_ids(page) | {page.pk}
    rows = services.space_tree(page.space)
    return [
        (str(row.pk), f"{'— ' * row.depth}{row.title}") for row in rows if row.pk not in excluded
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def page_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a page under another or reorder it among its siblings (the tree's arrows post
    here with `index` and the same parent)."""
    page = services.get_page_for_user(request.user, pk)
    services.check_can_write(request.user, page.space)
    form = MoveForm(
        request.POST or None,
        choices=_move_choices(page),
        initial={"parent": page.parent_id},
    )
    if request.method == "POST":
        if form.is_valid():
            parent_id = form.cleaned_data["parent"]
            parent = (
                Page.objects.filter(space=page.space, pk=parent_id).first() if parent_id else None
            )
            try:
                services.do_move_page(
                    request.user, page, parent=parent, index=form.cleaned_data["index"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if request.POST.get("next") == "space":
                    return redirect(page.space.get_absolute_url())
                messages.success(request, _("Moved."))
                return redirect(page.get_absolute_url())
        elif "parent" in form.errors and request.POST.get("parent"):
            # A parent that is not offered: the page itself, a descendant, another space.
            form.errors["parent"] = form.error_class(
                [_("A page cannot be moved under itself or one of its own pages.")]
            )
    return render(
        request,
        "library/move.html",
        {"page": page, "space": page.space, "form": form, "crumbs": services.ancestors(page)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def page_settings(request: HttpRequest, pk: int) -> HttpResponse:
    page = services.get_page_for_user(request.user, pk)
    if not services.can_manage_page(request.user, page):
        raise PermissionDenied(_("Only the page's owner or the space's editors change this."))
    form = PageSettingsForm(
        request.POST or None,
        space=page.space,
        initial={"owner": page.owner_id, "review_interval_days": page.review_interval_days},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_page_settings(request.user, page, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(page.get_absolute_url())
    return render(
        request, "library/page_settings.html", {"page": page, "space": page.space, "form": form}
    )


# --- Attachments -----------------------------------------------------------------------


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    page = services.get_page_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            item = services.do_add_attachment(request.user, page, form.cleaned_data["file"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Attached %(name)s.") % {"name": item.name})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(page.get_absolute_url())


@login_required
@require_safe
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Download a page's file; only people who may read the page get it."""
    item = services.get_attachment_for_user(request.user, pk)
    return safe_download(item.file, name=item.name, content_type=item.content_type)


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = services.get_attachment_for_user(request.user, pk)
    services.do_remove_attachment(request.user, item)
    messages.success(request, _("Removed %(name)s.") % {"name": item.name})
    return redirect(item.page.get_absolute_url())


# --- Tags ------------------------------------------------------------------------------


@login_required
@require_safe
def tag(request: HttpRequest, name: str) -> HttpResponse:
    """The pages with a tag, across the spaces the viewer may read."""
    found = Tag.objects.filter(name__iexact=name).first()
    if found is None:
        raise Http404("No such tag.")
    pages = Paginator(
        Page.objects.visible_to(request.user)
        .filter(tags=found)
        .select_related("space", "owner")
        .order_by(korean_order("title"), "pk"),
        LIST_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "library/tag.html", {"tag": found, "pages": pages})
