"""Export a page or a space (Markdown zip, printable HTML) and import a zip into a space."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from workmate.library import exchange, services, transfer
from workmate.library.models import Page, Space
from workmate.work.forms import add_service_errors


def _zip_response(space: Space, nodes: list[exchange.Node], name: str) -> FileResponse:
    return FileResponse(
        exchange.export_zip(nodes),
        as_attachment=True,
        filename=f"{transfer.safe_file_name(name)}.zip",
        content_type="application/zip",
    )


@login_required
@require_safe
def export_space(request: HttpRequest, key: str) -> HttpResponse:
    """The whole space as a zip of Markdown files with attachments."""
    space = services.get_space_for_user(request.user, key)
    return _zip_response(space, exchange.tree(space), space.key)


@login_required
@require_safe
def export_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A page and the pages under it as a zip."""
    page = services.get_page_for_user(request.user, pk)
    return _zip_response(page.space, exchange.tree(page.space, page), page.title)


def _printable(request: HttpRequest, space: Space, nodes: list[exchange.Node], title: str):
    context = {
        "space": space,
        "title": title,
        "printed": exchange.printable(nodes, request.user),
    }
    return render(request, "library/print.html", context)


@login_required
@require_safe
def print_space(request: HttpRequest, key: str) -> HttpResponse:
    space = services.get_space_for_user(request.user, key)
    return _printable(request, space, exchange.tree(space), space.name)


@login_required
@require_safe
def print_page(request: HttpRequest, pk: int) -> HttpResponse:
    page = services.get_page_for_user(request.user, pk)
    return _printable(request, page.space, exchange.tree(page.space, page), page.title)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Zip of Markdown files"),
        help_text=_(
            "Folders become pages with the pages inside them under them; a folder "
            "“Name.attachments” beside “Name.md” holds that page's files."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    parent = forms.ModelChoiceField(
        label=_("Under the page"), queryset=Page.objects.none(), required=False
    )

    def __init__(self, *args, space: Space, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Page.objects.filter(space=space).order_by("title", "pk")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_zip(request: HttpRequest, key: str) -> HttpResponse:
    """Upload a zip into the space; the summary page follows."""
    space = services.get_space_for_user(request.user, key)
    services.check_can_write(request.user, space)
    form = ImportForm(request.POST or None, request.FILES or None, space=space)
    if request.method == "POST" and form.is_valid():
        try:
            result = exchange.do_import_zip(
                request.user, space, form.cleaned_data["file"], parent=form.cleaned_data["parent"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("library:import_result", key=space.key, pk=result.pk)
    status = 400 if form.errors else 200
    return render(request, "library/import.html", {"space": space, "form": form}, status=status)


@login_required
@require_safe
def import_result(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    space = services.get_space_for_user(request.user, key)
    result = exchange.get_import_for_user(request.user, space, pk)
    # Pages made then may have moved or gone since: link those still in this space.
    alive = set(
        Page.objects.filter(
            space=space, pk__in=[pk for pk, _path in result.created_pages]
        ).values_list("pk", flat=True)
    )
    return render(
        request,
        "library/import_result.html",
        {"space": space, "result": result, "alive": alive},
    )
