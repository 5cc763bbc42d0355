"""Comments on a page: post, reply, resolve and re-open threads (HTML and htmx)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from workmate.library import comments, services
from workmate.library.models import Page
from workmate.voice.forms import MENTION_HELP
from workmate.work.forms import add_service_errors


class CommentForm(forms.Form):
    # `data-mention`: the @mention autocomplete (static/js/mentions.js) opens here.
    body = forms.CharField(
        label=_("Comment"),
        max_length=comments.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "data-mention": ""}),
        help_text=MENTION_HELP,
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


def comments_context(request: HttpRequest, page: Page, form: CommentForm | None = None) -> dict:
    """What the comments section needs: the threads and the form (or the one with errors)."""
    threads = comments.comment_threads(page)
    for thread in threads:
        thread.page = page
        thread.may_resolve = comments.can_resolve(request.user, thread)  # type: ignore[attr-defined]
    return {
        "page": page,
        "threads": threads,
        "comment_form": form or CommentForm(),
        "can_write_space": page.space.can_write(request.user),
    }


def _section(request: HttpRequest, page: Page, form: CommentForm | None = None, status: int = 200):
    return render(
        request,
        "library/partials/_comments.html",
        comments_context(request, page, form),
        status=status,
    )


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a comment, or a reply when `parent` names a comment of this page."""
    page = services.get_page_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data.get("parent"):
            parent = comments.get_comment_for_user(request.user, form.cleaned_data["parent"])
        try:
            posted = comments.do_comment(request.user, page, form.cleaned_data["body"], parent)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                return _section(request, page)
            return redirect(f"{reverse('library:page', args=[page.pk])}#comment-{posted.pk}")
    # htmx swaps only 2xx answers, so the section with the form's errors comes back 200.
    if request.htmx:
        return _section(request, page, form)
    return _section(request, page, form, status=400)


@login_required
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve comment `pk`'s thread, or open it again with `resolved=0`."""
    found = comments.get_comment_for_user(request.user, pk)
    root = comments.do_set_resolved(request.user, found, request.POST.get("resolved") != "0")
    if request.htmx:
        return _section(request, found.page)
    return redirect(f"{reverse('library:page', args=[found.page_id])}#comment-{root.pk}")
