"""The agents' desk: queues, the ticket page, macros and billable time."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.accounts.models import User
from workmate.desk import agent, dashboard, queue_rows, queue_sql, services
from workmate.desk.forms import (
    BulkAssignForm,
    EscalateForm,
    MacroForm,
    MonthForm,
    PeopleOptions,
    QueueFilterForm,
    ReplyForm,
    TicketNumberForm,
    TicketUpdateForm,
    TriageForm,
    set_people,
)
from workmate.desk.models import Priority, Status, Ticket, TicketAttachment
from workmate.desk.queue_rows import QueueRow
from workmate.lib import csvexport
from workmate.lib.downloads import safe_download
from workmate.work.forms import add_service_errors

QUEUE_PAGE_SIZE = 30
# Queues are counted up to this many tickets; past it the pager says "more than".
QUEUE_COUNT_LIMIT = 1000
# Past the counted pages a page number is taken as asked, up to this one.
QUEUE_MAX_PAGE = 1_000_000

# What a change entry's `field` is called on the timeline.
FIELD_LABELS = {
    "status": gettext_lazy("Status"),
    "priority": gettext_lazy("Priority"),
    "assignee": gettext_lazy("Assignee"),
    "team": gettext_lazy("Team"),
    "tags": gettext_lazy("Tags"),
    "customer": gettext_lazy("Customer"),
    "followers": gettext_lazy("Followers"),
    "linked": gettext_lazy("Linked tickets"),
    "merged_into": gettext_lazy("Merged into"),
    "merged": gettext_lazy("Merged here"),
    "escalation": gettext_lazy("Escalated"),
    "acknowledgement": gettext_lazy("Acknowledgement mailed"),
}


def event_value(field: str, value: str) -> str:
    """A status or priority of the timeline in the reader's language.

    Events keep codes ("solved", "2"); events written before that keep the name in the
    language of whoever made the change and are shown as written.
    """
    choices = {"status": Status.choices, "priority": Priority.choices}
    labels = {str(code): label for code, label in choices.get(field, ())}
    return str(labels.get(value, value))


QUEUE_TITLES = {
    "mine": gettext_lazy("My queue"),
    "escalated": gettext_lazy("Escalated to me"),
    "unassigned": gettext_lazy("Unassigned"),
    "at_risk": gettext_lazy("At risk"),
    "breached": gettext_lazy("Breached"),
    "pending": gettext_lazy("Waiting on customer"),
    "triage": gettext_lazy("Triage"),
    "all": gettext_lazy("All tickets"),
}


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """A full desk page: the nav shows "Billable time" to those who may see it."""
    context["can_see_billing"] = agent.can_see_billing(request.user)
    return render(request, template, context, status=status)


# --- Queues ------------------------------------------------------------------------------


@dataclass
class QueuePage:
    """One page of a queue, counted only up to QUEUE_COUNT_LIMIT tickets.

    Django's Paginator counts the whole queue on every view: for "All tickets" that is
    every ticket of the year (200,000 in the benchmark). A capped count reads at most
    QUEUE_COUNT_LIMIT + 1 index entries; one row past the page says whether there is a next.
    """

    object_list: list[QueueRow]
    number: int
    has_next: bool
    count: int
    count_exact: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / QUEUE_PAGE_SIZE))


def _queue_page(
    tickets: Callable[[], QuerySet[Ticket]],
    number: str | None,
    prepared: queue_sql.Bound | None = None,
) -> QueuePage:
    """The page `number` (a bad or missing one: the first; past the end: the last), read
    through the queue's prepared SQL when there is one (`queue_sql`), else the queryset."""
    page = int(number) if number and number.isascii() and number.isdigit() else 1
    # A number past any list's end must still make an OFFSET the database can take.
    page = min(page, QUEUE_MAX_PAGE)
    # Sliced, so the count keeps the queue's order and SQLite walks the queue's index.
    count = prepared.count() if prepared else tickets()[: QUEUE_COUNT_LIMIT + 1].count()
    exact = count <= QUEUE_COUNT_LIMIT
    if exact:
        page = min(max(page, 1), max(1, math.ceil(count / QUEUE_PAGE_SIZE)))
    page = max(page, 1)
    start = (page - 1) * QUEUE_PAGE_SIZE
    # Past the counted pages, the ORM (the prepared shapes stay a bounded few).
    if prepared is not None and start <= QUEUE_COUNT_LIMIT:
        rows = prepared.rows(start)
    else:
        rows = queue_rows.rows_of(queue_rows.values(tickets())[start : start + QUEUE_PAGE_SIZE + 1])
    return QueuePage(
        object_list=rows[:QUEUE_PAGE_SIZE],
        number=page,
        has_next=len(rows) > QUEUE_PAGE_SIZE,
        count=min(count, QUEUE_COUNT_LIMIT),
        count_exact=exact,
    )


@dataclass
class KeysetPage:
    """One page of a history search (closed tickets too), after the ticket `after`.

    Numbered pages over the history cost an OFFSET that grows with it; here each page starts
    where the last ended, a seek in the due-date index: (due, pk) past the last row's.
    """

    object_list: list[QueueRow]
    has_next: bool
    after: int | None
    keyset: bool = True

    @property
    def has_previous(self) -> bool:
        return self.after is not None

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_after(self) -> int:
        return self.object_list[-1].pk


def _keyset_page(tickets: QuerySet[Ticket], after: str | None) -> KeysetPage:
    """The page after ticket `after` (missing, bad or not in the list: the first page).

    Steps: read the cursor ticket's due moment; take the rows with a later (due, pk), a range
    of the index from the due moment on; tickets without a due date come last (NULLS LAST),
    read from where the cursor is when it is one of them, or once the dated ones run out.
    """
    cursor = None
    if after and after.isascii() and after.isdigit():
        cursor = tickets.filter(pk=int(after)).values_list("resolution_due", "pk").first()
    size = QUEUE_PAGE_SIZE + 1

    def read(queryset: QuerySet[Ticket], limit: int) -> list[QueueRow]:
        return queue_rows.rows_of(queue_rows.values(queryset)[:limit])

    if cursor is not None and cursor[0] is None:
        rows = read(tickets.filter(resolution_due__isnull=True, pk__gt=cursor[1]), size)
    else:
        dated = tickets.filter(resolution_due__isnull=False)
        if cursor is not None:
            due, pk = cursor
            dated = dated.filter(resolution_due__gte=due).exclude(resolution_due=due, pk__lte=pk)
        rows = read(dated, size)
        if len(rows) < size:
            rows += read(tickets.filter(resolution_due__isnull=True), size - len(rows))
    return KeysetPage(
        object_list=rows[:QUEUE_PAGE_SIZE],
        has_next=len(rows) > QUEUE_PAGE_SIZE,
        after=cursor[1] if cursor else None,
    )


def _prepared(user: User, queue: str, filters: dict) -> queue_sql.Bound | None:
    """The queue's prepared reads for these filters; None for a text or tag search."""
    assignee = filters["assignee"]
    if filters["tag"] or filters["text"]:
        return None
    if assignee in ("", "me", "none"):
        kind, assignee_id = assignee, None
    elif assignee.isascii() and assignee.isdigit():
        kind, assignee_id = "id", int(assignee)
    else:
        return None
    customer, team = filters["customer"], filters["team"]
    shape = queue_sql.Shape(
        queue=queue,
        status=filters["status"],
        priority=filters["priority"],
        category=filters["category"],
        assignee=kind,
        customer=customer is not None,
        team=team is not None,
        start=0,
    )
    return queue_sql.QUERIES.bind(
        shape,
        user=user.pk,
        now=timezone.now(),
        customer=customer.pk if customer is not None else None,
        team=team.pk if team is not None else None,
        assignee=assignee_id,
    )


@dataclass
class QueueList:
    queue: str
    title: str
    filter_form: QueueFilterForm
    bulk_form: BulkAssignForm
    page: QueuePage | KeysetPage
    querystring: str
    here: str


def _queue_list(request: HttpRequest, queue: str, params: QueryDict) -> QueueList:
    """Filter and paginate one queue, with each row's SLA clock, in a fixed number of queries."""
    # Every agent is an option in two selects (filter and bulk assign): loaded once, names only.
    people = PeopleOptions(list(agent.agents().values_list("pk", "full_name")))
    filter_form = QueueFilterForm(params, people=people)
    bulk_form = BulkAssignForm(people_qs=agent.agents())
    assignee = bulk_form.fields["assignee"]
    set_people(assignee, [("", assignee.empty_label)], people)  # type: ignore[arg-type, attr-defined]
    filters = filter_form.filters()

    def tickets() -> QuerySet[Ticket]:
        found = agent.queue_tickets(request.user, queue)
        return agent.narrow_tickets(found, request.user, **filters)

    page: QueuePage | KeysetPage
    if agent.reads_history(filters["status"]):
        page = _keyset_page(tickets(), params.get("after"))
    else:
        page = _queue_page(tickets, params.get("page"), _prepared(request.user, queue, filters))
    agent.attach_clocks(page.object_list)
    kept = params.copy()
    kept.pop("page", None)
    kept.pop("after", None)
    base = reverse(f"desk:{queue}")
    return QueueList(
        queue=queue,
        title=str(QUEUE_TITLES[queue]),
        filter_form=filter_form,
        bulk_form=bulk_form,
        page=page,
        querystring=kept.urlencode(),
        here=f"{base}?{params.urlencode()}" if params else base,
    )


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The desk dashboard: where the desk stands now, each figure a link to its queue."""
    services.check_agent(request.user)
    return _page(request, "desk/dashboard.html", {"board": dashboard.build_dashboard()})


@login_required
@require_safe
def queue(request: HttpRequest, queue: str) -> HttpResponse:
    services.check_agent(request.user)
    listing = _queue_list(request, queue, request.GET)
    context = {"listing": listing, "queues": QUEUE_TITLES}
    if request.htmx:
        return render(request, "desk/partials/_queue_list.html", context)
    return _page(request, "desk/queue.html", context)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Give the ticked tickets to one agent; back to the same queue, filters kept."""
    services.check_agent(request.user)
    queue_name = request.POST.get("queue", "")
    if queue_name not in QUEUE_TITLES:
        queue_name = "mine"
    target = _safe_next(request, reverse(f"desk:{queue_name}"))
    form = BulkAssignForm(request.POST)
    if form.is_valid() and form.cleaned_data["tickets"]:
        try:
            changed = agent.do_bulk_assign(
                request.user, form.cleaned_data["tickets"], form.cleaned_data["assignee"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                ngettext("%(count)d ticket assigned.", "%(count)d tickets assigned.", changed)
                % {"count": changed},
            )
    else:
        messages.error(request, _("Tick at least one ticket and choose someone."))
    if request.htmx:
        params = QueryDict(urlsplit(target).query)
        listing = _queue_list(request, queue_name, params)
        context = {"listing": listing, "queues": QUEUE_TITLES}
        return render(request, "desk/partials/_queue_list.html", context)
    return redirect(target)


# --- The ticket page ---------------------------------------------------------------------


def _ticket(request: HttpRequest, pk: int) -> Ticket:
    """The ticket page's ticket in one read (not a first read to check it exists, then
    this one: two plans of a wide join on PostgreSQL, where each costs ms to plan)."""
    services.check_agent(request.user)
    tickets = Ticket.objects.select_related(
        "customer",
        "customer__se_owner",
        "customer__le_architect",
        "requester",
        "escalated_to",
        "escalated_by",
        "assignee",
        "team",
        "sla_policy",
        "merged_into",
    ).prefetch_related(
        "followers",
        "linked",
        # In number order, not the tickets' default (newest first): SQLite, which
        # counts the many tickets never merged as one value of `merged_into`, read
        # the created index in that order over every ticket instead (335 ms at 200,000).
        Prefetch("merged_tickets", queryset=Ticket.objects.order_by("pk")),
    )
    try:
        return tickets.get(pk=pk)
    except Ticket.DoesNotExist:
        raise Http404("No such ticket.") from None


def _ticket_page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: ReplyForm | None = None,
    update_form: TicketUpdateForm | None = None,
    merge_form: TicketNumberForm | None = None,
    link_form: TicketNumberForm | None = None,
    escalate_form: EscalateForm | None = None,
    triage_form: TriageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    agent.attach_clocks([ticket])
    total, billable = agent.ticket_time(ticket)
    entries = list(agent.timeline(ticket))
    for entry in entries:
        entry.field_label = FIELD_LABELS.get(entry.field, entry.field)  # type: ignore[attr-defined]
        entry.old_value = event_value(entry.field, entry.old_value)
        entry.new_value = event_value(entry.field, entry.new_value)
    context = {
        "ticket": ticket,
        "timeline": entries,
        "reply_form": reply_form or ReplyForm(),
        "update_form": update_form or TicketUpdateForm(ticket=ticket),
        "merge_form": merge_form or TicketNumberForm(prefix="merge"),
        "link_form": link_form or TicketNumberForm(prefix="link"),
        "escalate_form": escalate_form or EscalateForm(),
        "triage_form": triage_form or TriageForm(initial={"requester_email": ticket.from_email}),
        "macros": agent.macros_for(request.user),
        "minutes_total": total,
        "minutes_billable": billable,
        "is_following": any(person.pk == request.user.pk for person in ticket.followers.all()),
    }
    return _page(request, "desk/ticket.html", context, status=status)


@login_required
@require_safe
def attachment(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """A file on the ticket's timeline (or a ticket merged into it), for agents only."""
    current = services.get_ticket_for_agent(request.user, pk)
    tickets = [current.pk, *current.merged_tickets.order_by("pk").values_list("pk", flat=True)]
    item = TicketAttachment.objects.filter(pk=file_pk, entry__ticket__in=tickets).first()
    if item is None:
        raise Http404("No such file.")
    return safe_download(item.file, name=item.name, content_type=item.content_type)


@login_required
@require_safe
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket; `?macro=<id>` fills the reply box with that macro's text."""
    current = _ticket(request, pk)
    reply_form = None
    macro_id = request.GET.get("macro", "")
    if macro_id.isdigit():
        macro = agent.get_macro_for_agent(request.user, int(macro_id))
        body, set_status = agent.do_apply_macro(request.user, current, macro)
        reply_form = ReplyForm(
            initial={"body": body, "status": set_status, "kind": "reply", "macro": macro.pk}
        )
        if request.htmx:
            return render(
                request,
                "desk/partials/_reply_form.html",
                {
                    "ticket": current,
                    "reply_form": reply_form,
                    "macros": agent.macros_for(request.user),
                },
            )
    return _ticket_page(request, current, reply_form=reply_form)


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    current = _ticket(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.do_reply(
                request.user,
                current,
                data["body"],
                internal=data["kind"] == "note",
                minutes=data["minutes"] or 0,
                billable=data["billable"],
                status=data["status"] or None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            agent.count_macro_use(request.user, data["macro"])
            if data["kind"] == "note":
                messages.success(request, _("Internal note added."))
            else:
                messages.success(request, _("Reply sent."))
            return redirect(current.get_absolute_url())
    return _ticket_page(request, current, reply_form=form, status=400)


@login_required
@require_POST
def update(request: HttpRequest, pk: int) -> HttpResponse:
    """Priority, status, assignee and tags, changed inline (htmx) or by the plain form."""
    current = _ticket(request, pk)
    form = TicketUpdateForm(request.POST, ticket=current)
    if form.is_valid():
        data = form.cleaned_data
        try:
            agent.do_update_ticket(
                request.user,
                current,
                priority=data["priority"],
                status=data["status"],
                assignee=data["assignee"],
                tags=data["tags"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Ticket updated."))
            if not request.htmx:
                return redirect(current.get_absolute_url())
            current = _ticket(request, pk)
            form = TicketUpdateForm(ticket=current)
    if request.htmx:
        agent.attach_clocks([current])
        context = {"ticket": current, "update_form": form}
        return render(
            request,
            "desk/partials/_ticket_header.html",
            context,
            status=400 if form.errors else 200,
        )
    return _ticket_page(request, current, update_form=form, status=400)


@login_required
@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    current = _ticket(request, pk)
    agent.do_follow(request.user, current, request.user, follow=request.POST.get("follow") == "1")
    return redirect(current.get_absolute_url())


def _with_other_ticket(
    request: HttpRequest,
    pk: int,
    prefix: str,
    do: Callable[[User, Ticket, Ticket], object],
    done: str,
) -> HttpResponse:
    """Merge or link: the other ticket's number from the `prefix` form, one service call,
    back to the ticket; a refusal is shown beside the number field."""
    current = _ticket(request, pk)
    form = TicketNumberForm(request.POST, prefix=prefix)
    if form.is_valid():
        other = form.cleaned_data["number"]
        try:
            do(request.user, current, other)
        except ValidationError as error:
            # The service names its own field; the form has only the number.
            add_service_errors(form, ValidationError({"number": error.messages}))
        else:
            messages.success(request, done % {"number": other.pk})
            return redirect(current.get_absolute_url())
    return _ticket_page(request, current, **{f"{prefix}_form": form}, status=400)


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_other_ticket(request, pk, "merge", agent.do_merge, _("Merged into #%(number)s."))


@login_required
@require_POST
def link(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_other_ticket(request, pk, "link", agent.do_link, _("Linked to #%(number)s."))


@login_required
@require_POST
def unlink(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    current = _ticket(request, pk)
    other_ticket = services.get_ticket_for_agent(request.user, other)
    agent.do_unlink(request.user, current, other_ticket)
    return redirect(current.get_absolute_url())


@login_required
@require_POST
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: to the customer's LE architect or SE owner, with an optional note."""
    current = _ticket(request, pk)
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            person = agent.do_escalate(
                request.user, current, form.cleaned_data["to"], form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Escalated to %(name)s.") % {"name": person.full_name})
            return redirect(current.get_absolute_url())
    return _ticket_page(request, current, escalate_form=form, status=400)


@login_required
@require_POST
def triage(request: HttpRequest, pk: int) -> HttpResponse:
    current = _ticket(request, pk)
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            agent.do_triage(
                request.user,
                current,
                form.cleaned_data["customer"],
                form.cleaned_data["requester_email"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The ticket has its customer now."))
            return redirect(current.get_absolute_url())
    return _ticket_page(request, current, triage_form=form, status=400)


# --- Macros ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def macros(request: HttpRequest) -> HttpResponse:
    services.check_agent(request.user)
    form = MacroForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            macro = agent.do_save_macro(request.user, None, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Macro “%(name)s” saved.") % {"name": macro.name})
            return redirect("desk:macros")
    listed = list(agent.macros_for(request.user).select_related("created_by"))
    for macro in listed:
        macro.editable = agent.can_edit_macro(request.user, macro)  # type: ignore[attr-defined]
    context = {"macros": listed, "form": form}
    return _page(request, "desk/macros.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_macro(request: HttpRequest, pk: int) -> HttpResponse:
    macro = agent.get_macro_for_agent(request.user, pk)
    agent.check_can_edit_macro(request.user, macro)
    form = MacroForm(request.POST or None, user=request.user, macro=macro)
    if request.method == "POST" and form.is_valid():
        try:
            agent.do_save_macro(request.user, macro, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Macro “%(name)s” saved.") % {"name": macro.name})
            return redirect("desk:macros")
    context = {"macro": macro, "form": form}
    return _page(request, "desk/macro_edit.html", context, status=400 if form.errors else 200)


# --- Time accounting ---------------------------------------------------------------------


def _month(request: HttpRequest) -> tuple[MonthForm, datetime.date]:
    form = MonthForm(request.GET or None)
    return form, form.month_or(timezone.localdate())


@login_required
@require_safe
def time_accounting(request: HttpRequest) -> HttpResponse:
    """Minutes logged per customer in a month; the billable part is what the MSP invoices."""
    agent.check_can_see_billing(request.user)
    form, month = _month(request)
    rows = agent.time_by_customer(month)
    context = {
        "form": form,
        "month": month,
        "rows": rows,
        "total": sum(row.minutes for row in rows),
        "billable": sum(row.billable for row in rows),
    }
    return _page(request, "desk/time.html", context)


@login_required
@require_safe
def time_accounting_csv(request: HttpRequest) -> HttpResponse:
    agent.check_can_see_billing(request.user)
    _form, month = _month(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="desk-time-{month:%Y-%m}.csv"'
    writer = csvexport.writer(response)
    writer.writerow(["month", "customer", "minutes", "billable_minutes", "billable_hours"])
    for row in agent.time_by_customer(month):
        writer.writerow(
            [f"{month:%Y-%m}", row.name, row.minutes, row.billable, f"{row.billable / 60:.2f}"]
        )
    return response
