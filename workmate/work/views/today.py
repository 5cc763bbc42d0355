"""The home page's quick add: a task or a request in any project the person may add to."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from workmate.accounts.views import render_home
from workmate.work import today
from workmate.work.forms import QuickAddProjectForm
from workmate.work.views.projects import add_task


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quick_add(request: HttpRequest) -> HttpResponse:
    """GET (?project=): the fields for that project, which the picker swaps in on change.
    POST: the project chosen, then the project page's own quick add does the rest (the
    same form and service); after adding, back home.

    A refused project comes back on the home page with the error beside the picker; a
    refused task comes back on the project's page, whose quick add has every field.
    """
    projects = today.editable_projects(request.user)
    if request.method != "POST":
        chosen = request.GET.get("project")
        context = today.quick_add_forms(request.user, projects, project_pk=chosen)
        return render(request, "work/today/_quick_add_fields.html", context)
    form = QuickAddProjectForm(request.POST, user=request.user, projects=projects)
    if not form.is_valid():
        return render_home(request, bound={"quick_add": request.POST}, status=400)
    response = add_task(request, form.cleaned_data["project"].pk)
    if response.status_code == 302:  # Added: add_task goes to the project; home instead.
        return redirect("home")
    return response
