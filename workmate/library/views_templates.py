"""Page templates of a space: list and write them, edit (a new version each time), and
make a new page from one."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from workmate.desk.models import Customer
from workmate.desk.services import is_agent
from workmate.library import page_templates, services, templating
from workmate.library.models import Page, PageTemplate, Space
from workmate.work.forms import add_service_errors

TEMPLATE_HELP = _(
    "Markdown. Variables are filled in when a page is made: "
    "{{date}}, {{time}}, {{author}}, {{customer}}, {{space}}, {{title}}."
)


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=page_templates.NAME_MAX)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono"}),
        help_text=TEMPLATE_HELP,
    )
    summary = forms.CharField(label=_("What changed"), max_length=200, required=False)


class FromTemplateForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Template"), queryset=PageTemplate.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    parent = forms.ModelChoiceField(
        label=_("Under the page"), queryset=Page.objects.none(), required=False
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.none(),
        required=False,
        help_text=_("Fills {{customer}} in the template."),
    )

    def __init__(self, *args, user, space: Space, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = page_templates.templates_for_space(user, space)
        self.fields["parent"].queryset = Page.objects.filter(space=space).order_by("title", "pk")
        if is_agent(user):
            self.fields["customer"].queryset = Customer.objects.order_by("name")
        else:
            del self.fields["customer"]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def templates(request: HttpRequest, key: str) -> HttpResponse:
    """The templates offered in a space; writers add one here."""
    space = services.get_space_for_user(request.user, key)
    can_write = space.can_write(request.user)
    form = TemplateForm(request.POST or None)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        if form.is_valid():
            try:
                page_templates.do_create_template(
                    request.user,
                    space,
                    name=form.cleaned_data["name"],
                    body=form.cleaned_data["body"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("library:templates", key=space.key)
    context = {
        "space": space,
        "templates": page_templates.templates_for_space(request.user, space),
        "form": form if can_write else None,
        "variables": templating.VARIABLES,
    }
    return render(request, "library/templates.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_template(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a template: a new version when its text changes."""
    template = page_templates.get_template_for_user(request.user, pk)
    if not page_templates.can_edit_template(request.user, template):
        raise PermissionDenied
    latest = template.latest_revision()
    initial = {"name": template.name, "body": latest.body if latest else ""}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            page_templates.do_update_template(
                request.user,
                template,
                name=form.cleaned_data["name"],
                body=form.cleaned_data["body"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if template.space is not None:
                return redirect("library:templates", key=template.space.key)
            return redirect("library:home")
    context = {
        "template": template,
        "space": template.space,
        "form": form,
        "versions": template.revisions.select_related("author").order_by("-number"),
        "variables": templating.VARIABLES,
    }
    return render(
        request, "library/template_edit.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new_from_template(request: HttpRequest, key: str) -> HttpResponse:
    """Make a page in the space from one of its templates (`?template=` picks one)."""
    space = services.get_space_for_user(request.user, key)
    services.check_can_write(request.user, space)
    form = FromTemplateForm(
        request.POST or None,
        user=request.user,
        space=space,
        initial={"template": request.GET.get("template"), "parent": request.GET.get("parent")},
    )
    if request.method == "POST" and form.is_valid():
        customer = form.cleaned_data.get("customer")
        try:
            page = page_templates.do_create_page_from_template(
                request.user,
                space,
                form.cleaned_data["template"],
                title=form.cleaned_data["title"],
                parent=form.cleaned_data["parent"],
                customer_name=customer.name if customer else "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(page.get_absolute_url())
    context = {"space": space, "form": form, "variables": templating.VARIABLES}
    return render(
        request, "library/new_from_template.html", context, status=400 if form.errors else 200
    )
