"""The project page's bars written in Python: the same bytes their templates rendered.

The project page has a heading with tabs and links, a quick-add form (with its
availability picker and request box), a filter bar, a bulk-action bar, a pager and an
add-section form. As templates they were ~300 nodes and fifteen includes, ~2 ms a
request of template machinery around ~20 form fields (bench/README.md, "The project
page's bars in Python"). Here each is one function that writes what the template wrote:
values escaped with `conditional_escape` as `{{ }}` does, translated literals left as
`{% translate %}` leaves them (each translated outside the f-strings, where
makemessages finds it), the fields through `field_html` as `{% field %}` writes them.
`work/tests/test_project_bars.py` renders the former templates beside these and compares
the bytes.

The shared fragments these replace on this page (`_availability_picker.html`,
`_request_box.html`, `_urgent_fields.html`, `form_errors.html`) stay in use on other
pages; the tests render those very files, so a change to one that is not made here too
fails them.
"""

from __future__ import annotations

import html
from typing import Any

from django import template
from django.forms import BaseForm, BoundField
from django.template import Context
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from workmate.lib.forms import field_html
from workmate.lib.urls import reverse_ids
from workmate.work.models import Project

register = template.Library()


def _e(value: Any) -> str:
    """`{{ value }}`: escaped unless safe."""
    return str(conditional_escape(value))


def _number(value: Any) -> str:
    """A number as `{% blocktranslate %}` puts it in its text: localised, escaped."""
    return _e(localize(value))


def csrf_html(context: Context) -> str:
    """`{% csrf_token %}` (django.template.defaulttags.CsrfTokenNode)."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(token)}">'


def form_errors_html(form: BaseForm) -> str:
    """`includes/form_errors.html`."""
    errors = form.non_field_errors()
    if not errors:
        return "\n"
    shown = "".join(f"<p>{_e(error)}</p>" for error in errors)
    return f'<div class="form-errors" role="alert">{shown}</div>\n'


def availability_picker_html(field: BoundField, project: Project | None) -> str:
    """`accounts/partials/_availability_picker.html` for `field`."""
    url = html.escape(reverse_ids("person_availability"))
    if project:
        url += f"?project={_e(project.pk)}"
    load = ", load" if field.value() else ""
    return (
        f'<div class="availability-picker" hx-get="{url}" hx-trigger="change{load}" '
        'hx-include="find select" hx-target="find .availability-hint" hx-swap="innerHTML" '
        'hx-sync="this:replace">\n'
        f"  {field_html(field)}\n"
        '  <p class="availability-hint" aria-live="polite"></p>\n'
        "</div>\n"
    )


def urgent_fields_html(form: BaseForm, urgent_left: Any) -> str:
    """`inbox/partials/_urgent_fields.html`."""
    urgent, reason = form["urgent"], form["urgent_reason"]
    opened = " open" if urgent.value() or reason.errors else ""
    summary = gettext("Mark urgent")
    left = ngettext(
        "You can mark %(left)s more notification urgent today.",
        "You can mark %(left)s more notifications urgent today.",
        urgent_left,
    ) % {"left": _number(urgent_left)}
    return (
        f'<details class="urgent-fields"{opened}>\n'
        f"  <summary>{summary}</summary>\n"
        '  <div class="field urgent-check">\n'
        f"    <label>{_e(str(urgent))} {_e(urgent.label)}</label>\n"
        "  </div>\n"
        f"  {field_html(reason)}\n"
        f'  <p class="help">{left}</p>\n'
        "</details>\n"
    )


def request_box_html(
    form: BaseForm, person_field: BoundField, project: Project | None, urgent_left: Any
) -> str:
    """`work/partials/_request_box.html` as the project page includes it (neither
    `collapsed` nor `ask_only`)."""
    url = html.escape(reverse_ids("work:reply_by_field"))
    prefix = "" if form.prefix is None else _e(form.prefix)
    url += f"?prefix={prefix}"
    if project:
        url += f"&amp;project={_e(project.pk)}"
    person = _e(person_field.auto_id)
    legend = gettext("The request, when you ask someone else")
    return (
        f'<fieldset class="request-box-fields" hx-get="{url}" '
        f'hx-trigger="change from:#{person}" hx-include="#{person}" '
        'hx-target="find .reply-by-slot" hx-swap="innerHTML" hx-sync="this:replace">\n'
        f"  <legend>{legend}</legend>\n"
        f"  {field_html(form['request_message'])}\n"
        f'  <div class="reply-by-slot">{field_html(form["reply_by"])}\n</div>\n'
        f"  {urgent_fields_html(form, urgent_left)}\n"
        "  \n"
        "</fieldset>\n"
    )


@register.simple_tag(takes_context=True)
def project_quick_add(context: Context) -> SafeString:
    """The quick-add card of `work/project.html` (editors only), with its leading and
    trailing newline as the `{% if can_edit %}` block wrote them."""
    project, form = context["project"], context["task_form"]
    action = html.escape(reverse_ids("work:add_task", project.pk))
    heading, button = gettext("Add a task"), gettext("Add task")
    assignee = form["assignee"]
    return mark_safe(
        '\n<section class="card quick-add">\n'
        f"  <h2>{heading}</h2>\n"
        f'  <form method="post" action="{action}" class="stack" id="add-task-form" novalidate>\n'
        f"    {csrf_html(context)}\n"
        f"    {form_errors_html(form)}\n"
        '    <div class="row">\n'
        f"      {field_html(form['title'])}\n"
        f"      {field_html(form['section'])}\n"
        f"      {availability_picker_html(assignee, project)}\n"
        f"      {field_html(form['due_on'])}\n"
        f"      {field_html(form['tags'])}\n"
        "    </div>\n"
        f"    {request_box_html(form, assignee, project, context.get('urgent_left'))}\n"
        f'    <button type="submit">{button}</button>\n'
        "  </form>\n"
        "</section>\n"
    )


@register.simple_tag(takes_context=True)
def project_add_section(context: Context) -> SafeString:
    """The add-section card of `work/project.html` (editors only), with its leading and
    trailing newline as the `{% if can_edit %}` block wrote them."""
    project, form = context["project"], context["section_form"]
    action = html.escape(reverse_ids("work:add_section", project.pk))
    heading, button = gettext("Add a section"), gettext("Add section")
    return mark_safe(
        '\n<section class="card">\n'
        f"  <h2>{heading}</h2>\n"
        f'  <form method="post" action="{action}" class="row add-section" '
        'id="add-section-form" novalidate>\n'
        f"    {csrf_html(context)}\n"
        f"    {form_errors_html(form)}\n"
        f"    {field_html(form['name'])}\n"
        f'    <div><button type="submit">{button}</button></div>\n'
        "  </form>\n"
        "</section>\n"
    )


@register.simple_tag(takes_context=True)
def project_filters(context: Context, listing: Any) -> SafeString:
    """The filter bar (formerly `work/partials/_project_filters.html`)."""
    form = listing.filter_form
    active = form.is_active
    opened = " open" if active or form.errors else ""
    on = ""
    if active:
        word = gettext("on")
        on = f' <span class="count">{word}</span>'
    here = html.escape(reverse_ids("work:project", context["project"].pk))
    fields = "".join(field_html(field) for field in form)
    title, show, clear = gettext("Filter"), gettext("Show"), gettext("Clear")
    return mark_safe(
        f'<details class="card filter-bar"{opened}>\n'
        f"  <summary>{title}{on}</summary>\n"
        f'  <form method="get" action="{here}" hx-get="{here}" hx-target="#project-tasks" '
        'hx-push-url="true" hx-trigger="submit, change, search" class="filters" '
        'id="filter-form" role="search">\n'
        f"    {fields}\n"
        f'    <div><button type="submit">{show}</button> <a href="{here}">{clear}</a></div>\n'
        "  </form>\n"
        "</details>\n"
    )


@register.simple_tag(takes_context=True)
def project_bulk(context: Context, listing: Any) -> SafeString:
    """The bulk-action bar (formerly `work/partials/_project_bulk.html`; editors only)."""
    form, project = listing.bulk_form, context["project"]
    action = html.escape(reverse_ids("work:bulk_update", project.pk))
    message = form["request_message"]
    opened = " open" if message.value() or message.errors else ""
    ticked = gettext("With the ticked tasks:")
    ask = gettext("Assigning: ask with a message (optional)")
    apply = gettext("Apply")
    return mark_safe(
        f'<form method="post" action="{action}" hx-post="{action}" hx-target="#project-tasks" '
        'id="bulk-form" class="bulk-bar" novalidate>\n'
        f"  {csrf_html(context)}\n"
        f'  <input type="hidden" name="next" value="{_e(listing.here)}">\n'
        f'  <span class="muted">{ticked}</span>\n'
        f"  {field_html(form['action'])}\n"
        f"  {field_html(form['section'])}\n"
        f"  {availability_picker_html(form['assignee'], project)}\n"
        f'  <details class="bulk-request"{opened}><summary>{ask}</summary>\n'
        f"    {field_html(message)}</details>\n"
        f'  <div><button type="submit">{apply}</button></div>\n'
        "</form>\n"
    )


@register.simple_tag
def project_pager(listing: Any) -> SafeString:
    """The list's pager, when it has more than one page, with its leading and trailing
    newline as `_project_tasks.html`'s `{% if page.has_other_pages %}` block wrote them."""
    page = listing.page
    if not page.has_other_pages():
        return mark_safe("")
    query = _e(listing.querystring)
    base = f"?{query}&amp;page=" if listing.querystring else "?page="
    previous = following = ""
    back, forward, pages = gettext("Previous"), gettext("Next"), gettext("Pages")
    if page.has_previous():
        link = f"{base}{_e(page.previous_page_number())}"
        previous = (
            f'<a href="{link}" hx-get="{link}" hx-target="#project-tasks" '
            f'hx-push-url="true">{back}</a>'
        )
    if page.has_next():
        link = f"{base}{_e(page.next_page_number())}"
        following = (
            f'<a href="{link}" hx-get="{link}" hx-target="#project-tasks" '
            f'hx-push-url="true">{forward}</a>'
        )
    paginator = page.paginator
    where = gettext("Page %(number)s of %(total)s · %(count)s tasks") % {
        "number": _number(page.number),
        "total": _number(paginator.num_pages),
        "count": _number(paginator.count),
    }
    return mark_safe(
        f'\n<nav class="pager" aria-label="{pages}">\n'
        f"  {previous}\n"
        f"  <span>{where}</span>\n"
        f"  {following}\n"
        "</nav>\n"
    )


@register.simple_tag(takes_context=True)
def project_head(context: Context) -> SafeString:
    """The project page's heading, tabs, owner line and links: `<h1>` with
    `_project_name.html`, `_project_tabs.html`, the muted line and the links to transfers,
    status updates, templates and fields, as `work/project.html` wrote them. The board and
    the settings page still include `_project_name.html` and `_project_tabs.html`."""
    project = context["project"]
    can_edit = bool(context.get("can_edit"))
    pk = project.pk
    icon = ""
    if project.icon:
        icon = f' <span class="project-icon" aria-hidden="true">{_e(project.icon)}</span>'
    archived = ""
    if project.is_archived:
        badge = gettext("Archived")
        archived = f' <span class="badge badge-archived">{badge}</span>'
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = getattr(match, "url_name", None)

    def tab(name: str, url_name: str, label: str) -> str:
        mark = ' aria-current="page"' if current == name else ""
        return f'<a href="{html.escape(reverse_ids(url_name, pk))}"{mark}>{label}</a>'

    settings = ""
    if can_edit or context.get("can_unarchive"):
        settings = tab("project_settings", "work:project_settings", gettext("Settings"))
    owner = gettext("owned by %(owner)s") % {"owner": _e(project.owner.full_name)}
    read_only = " · " + gettext("Read only") if not can_edit else ""
    asana = template_link = fields_link = ""
    if can_edit:
        url = html.escape(reverse_ids("work:import_asana", pk))
        label = gettext("Import from Asana")
        asana = f'<a href="{url}">{label}</a> · '
        url = html.escape(reverse_ids("work:save_template", pk))
        save = gettext("Save as template")
        template_link = f'<p class="project-template-link"><a href="{url}">{save}</a></p>'
        url = html.escape(reverse_ids("work:project_fields", pk))
        label = gettext("Fields")
        fields_link = f'<p class="project-fields-link"><a href="{url}">{label}</a></p>'
    csv = html.escape(reverse_ids("work:export_csv", pk))
    json = html.escape(reverse_ids("work:export_json", pk))
    status = html.escape(reverse_ids("work:project_status", pk))
    views, listed, board = gettext("Project views"), gettext("List"), gettext("Board")
    as_csv, as_json, updates = (
        gettext("Export CSV"),
        gettext("Export JSON"),
        gettext("Status updates"),
    )
    return mark_safe(
        '<h1><svg class="colour-dot" width="10" height="10" viewBox="0 0 10 10" '
        f'aria-hidden="true"><circle cx="5" cy="5" r="5" fill="{_e(project.colour)}"/></svg>\n'
        f"{icon} {_e(project.name)}{archived}\n</h1>\n"
        f'<nav class="project-tabs" aria-label="{views}">\n'
        f"  {tab('project', 'work:project', listed)}\n"
        f"  {tab('board', 'work:board', board)}\n"
        f"  {settings}\n"
        "</nav>\n\n"
        f'<p class="muted">{_e(project.team.code)} · {_e(project.get_visibility_display())} · '
        f"{owner}{read_only}</p>\n"
        f'<p class="project-links">{asana}<a href="{csv}" download>{as_csv}</a>'
        f' · <a href="{json}" download>{as_json}</a></p>\n\n'
        f'<p class="project-status-link"><a href="{status}">{updates}</a></p>'
        f"{template_link}\n\n"
        f"{fields_link}"
    )


@register.simple_tag
def task_panel() -> SafeString:
    """`work/partials/_panel.html` (the task panel beside the list), without the include."""
    label, pick = gettext("Task details"), gettext("Pick a task to see it here.")
    return mark_safe(
        f'<aside id="task-panel" class="task-panel" aria-label="{label}" aria-live="polite">\n'
        f'  <p class="muted">{pick}</p>\n'
        "</aside>\n"
    )
