"""A queue page's two reads (the capped count and the page's rows) compiled once per
connection, as `workmate/lib/prepared.py` does for My Tasks.

Why: building and compiling the queue's queryset (the queue, the filter bar, the five
joins of the rows, then Django's count wrapper) cost ~1.5 ms of CPU a page, and the SQL
Django writes for it made SQLite read every ticket of the range twice: the statuses of the
partial indexes' condition (`ACTIVE`) were bound parameters, so SQLite could not drop the
terms the index already guarantees and read each row from the table to test them again
(the count of the busy agent's queue: 1.8 ms with parameters, 0.1 ms with the statuses
written in the SQL, the same plan).

How: the SQL of one *shape* of a queue (the queue; the status, priority, category and the
kind of assignee filter, each one of a few fixed choices; whether a customer and a team
filter are set; the page's first row) is built by `agent.queue_tickets` and
`agent.narrow_tickets` themselves, with placeholder values for what a request brings (the
viewer, the moment, the customer, the team, the assignee; `prepared._placeholder`). Each
of those must come out as a parameter of its own (or not be used by the shape at all),
else compiling fails loudly. The other parameters are the shape's fixed choices and the
model's constants: those are written into the SQL as literals. Nothing but SQL text is
kept, every request value is a parameter, so a page never shows stale rows.

The filter bar's text and tag searches and the history (solved, closed, any status; paged
by keyset) go through the ORM as before.
"""

from __future__ import annotations

import datetime
import re
import weakref
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql.compiler import SQLCompiler

from workmate.accounts.models import Team, User
from workmate.desk import agent, queue_rows
from workmate.desk.models import Customer
from workmate.lib.prepared import _adapt, _placeholder

# What a request brings, with the kind of its placeholder.
ARGUMENTS = {"user": "id", "now": "datetime", "customer": "id", "team": "id", "assignee": "id"}


class Shape(NamedTuple):
    """What fixes a queue page's SQL (see the module's docstring)."""

    queue: str
    status: str
    priority: int | None
    category: str
    assignee: str  # "", "me", "none" or "id"
    customer: bool
    team: bool
    start: int


@dataclass
class _Compiled:
    count_sql: str
    rows_sql: str
    # The parameters of the count's SQL, then the rows' (placeholders where a request
    # value goes), and each argument's positions among them.
    count_params: tuple[Any, ...]
    rows_params: tuple[Any, ...]
    count_slots: dict[str, list[int]]
    rows_slots: dict[str, list[int]]
    compiler: SQLCompiler


def _literal(value: Any) -> str | None:
    """A fixed parameter as an SQL literal (text and whole numbers), None to keep it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):  # a TextChoices member too: its value
        text = str.__str__(value)
        # A `%` would be read as a parameter marker by the cursor.
        return "'" + text.replace("'", "''").replace("%", "%%") + "'"
    return None


def _bind(
    connection: BaseDatabaseWrapper, sql: str, params: tuple[Any, ...], used: dict[str, Any]
) -> tuple[str, tuple[Any, ...], dict[str, list[int]]]:
    """The SQL with its fixed parameters written in, and where each argument goes."""
    adapted = {name: _adapt(connection, ARGUMENTS[name], value) for name, value in used.items()}
    owner: dict[int, str] = {}
    for name, value in adapted.items():
        found = [index for index, param in enumerate(params) if param == value]
        if not found or str(value) in sql:
            raise ImproperlyConfigured(
                f"Argument {name!r} is not a parameter of its own in the SQL: {sql}"
            )
        owner |= dict.fromkeys(found, name)
    pieces = sql.split("%s")
    if len(pieces) != len(params) + 1:
        raise ImproperlyConfigured(f"Parameters and markers do not match: {sql}")
    out = [pieces[0]]
    kept: list[Any] = []
    slots: dict[str, list[int]] = {name: [] for name in adapted}
    for index, (param, piece) in enumerate(zip(params, pieces[1:], strict=True)):
        literal = None if index in owner else _literal(param)
        if literal is None:
            if index in owner:
                slots[owner[index]].append(len(kept))
            kept.append(param)
            out.append("%s")
        else:
            out.append(literal)
        out.append(piece)
    return "".join(out), tuple(kept), slots


# How `agent.queue_tickets` writes "the viewer's teams" ("Unassigned").
_TEAMS = (
    '"desk_ticket"."team_id" IN (SELECT U0."team_id" AS "team" FROM "accounts_membership" U0'
    ' WHERE U0."user_id" = %s)'
)
_LIMIT = re.compile(r" LIMIT \d+( OFFSET \d+)?$")


def _by_team(
    connection: BaseDatabaseWrapper,
    tickets: Any,
    sql: str,
    params: list[Any],
    start: int,
    size: int,
) -> tuple[str, list[Any]]:
    """PostgreSQL, "Unassigned": the page's rows (`sql`) read from a range per team.

    Why: the viewer's teams are a subquery, so PostgreSQL can merge no per-team range of
    ticket_unassigned_team_idx in due order: it walks every unassigned ticket in due order
    and tests its team, which costs as many rows as the other teams hold before a page
    fills (a viewer of a team with none: 9,896 rows, 6-7 ms at 200,000 tickets).

    How: the first `start + size` tickets of each of the viewer's teams in the queue's
    order (the queue's own filters, the team an equality: one range of that index each,
    LATERAL), merged and cut to the page, then read with the page's joins by key. Rows and
    order are the queue's: the outer statement keeps every filter of `sql`.
    """
    inner, inner_params = (
        tickets.values_list("pk", "resolution_due")[: start + size]
        .query.get_compiler(connection=connection)
        .as_sql()
    )
    if inner.count(_TEAMS) != 1 or ' FROM "desk_ticket" ' not in sql or not _LIMIT.search(sql):
        raise ImproperlyConfigured(f"The unassigned queue's SQL is not the expected one: {sql}")
    inner_params = list(inner_params)
    user = inner_params.pop(inner[: inner.index(_TEAMS)].count("%s"))
    inner = inner.replace(_TEAMS, '"desk_ticket"."team_id" = "teams"."team_id"')
    page = (
        f'SELECT "picked"."pk" FROM "accounts_membership" "teams" CROSS JOIN LATERAL ({inner})'
        ' "picked" WHERE "teams"."user_id" = %s'
        ' ORDER BY "picked"."resolution_due" ASC NULLS LAST, "picked"."pk" ASC'
        f" LIMIT {size} OFFSET {start}"
    )
    head, _, tail = sql.partition(' FROM "desk_ticket" ')
    tail = _LIMIT.sub(f" LIMIT {size}", tail)
    before = head.count("%s")
    return (
        f'{head} FROM ({page}) "page" INNER JOIN "desk_ticket"'
        f' ON ("desk_ticket"."id" = "page"."pk") {tail}',
        [*params[:before], *inner_params, user, *params[before:]],
    )


# SQLite, "Unassigned": how many of the viewer's teams get a range of their own (the rest
# share one range, sorted). A viewer has a handful of teams; each unused range is one probe
# of the membership index (~2 µs).
SQLITE_TEAM_RANGES = 6
_INDEX = ' FROM "desk_ticket" INDEXED BY "ticket_unassigned_team_idx" '


def _nth_team(offset: int, limit: int = 1) -> str:
    """The viewer's teams from the `offset`-th in team order, `limit` of them (-1: all)."""
    return (
        f'(SELECT U0."team_id" FROM "accounts_membership" U0 WHERE U0."user_id" = %s'
        f' ORDER BY U0."team_id" LIMIT {limit} OFFSET {offset})'
    )


def _count_by_team_sqlite(inner: str) -> str:
    """SQLite, "Unassigned": the capped count (`inner`, unordered) read from
    ticket_unassigned_team_idx, one range per team of the viewer's (the IN list's values).

    Why: in the queue's order SQLite walked every unassigned ticket through
    ticket_active_assignee_idx (`assignee_id IS NULL` an equality there) and tested its
    team: 9,896 rows at 200,000 tickets, ~18 ms of CPU for a viewer whose teams hold none.
    Unordered, the teams' IN list is a range of the team index each, stopped at the cap.
    The planner is told the index (INDEXED BY): its statistics can say one team holds every
    unassigned ticket (the benchmark's do), which prices the walk cheaper than it runs.
    """
    if inner.count(_TEAMS) != 1 or inner.count(' FROM "desk_ticket" WHERE ') != 1:
        raise ImproperlyConfigured(f"The unassigned queue's SQL is not the expected one: {inner}")
    return inner.replace(' FROM "desk_ticket" ', _INDEX)


def _by_team_sqlite(
    connection: BaseDatabaseWrapper,
    tickets: Any,
    sql: str,
    params: list[Any],
    start: int,
    size: int,
) -> tuple[str, list[Any]]:
    """SQLite, "Unassigned": the page's rows (`sql`) read from a range per team, as
    `_by_team` does on PostgreSQL.

    Why: the walk of every unassigned ticket in due order through
    ticket_active_assignee_idx, testing each one's team, stops only when a page fills: a
    viewer whose teams hold none read all 9,896 (~18 ms of CPU at 200,000 tickets).

    How: SQLite has no LATERAL, so each of the viewer's first SQLITE_TEAM_RANGES teams (in
    team order, a scalar subquery each: NULL, and nothing read, past the viewer's last
    team) is a range of ticket_unassigned_team_idx in the queue's order, cut at `start +
    size`; the teams after those share one range that is sorted (empty for nearly every
    viewer). The ranges are merged (UNION ALL), ordered and cut to the page, then read with
    the page's joins by key. Rows and order are the queue's: the outer statement keeps
    every filter of `sql`.
    """
    inner, inner_params = (
        tickets.values_list("pk", "resolution_due")[: start + size]
        .query.get_compiler(connection=connection)
        .as_sql()
    )
    if (
        inner.count(_TEAMS) != 1
        or inner.count(' FROM "desk_ticket" WHERE ') != 1
        or ' FROM "desk_ticket" ' not in sql
        or not _LIMIT.search(sql)
    ):
        raise ImproperlyConfigured(f"The unassigned queue's SQL is not the expected one: {sql}")
    inner = inner.replace(' FROM "desk_ticket" ', _INDEX)
    ranges = [
        f'"desk_ticket"."team_id" = {_nth_team(offset)}' for offset in range(SQLITE_TEAM_RANGES)
    ]
    ranges.append(f'"desk_ticket"."team_id" IN {_nth_team(SQLITE_TEAM_RANGES, -1)}')
    union = " UNION ALL ".join(f"SELECT * FROM ({inner.replace(_TEAMS, team)})" for team in ranges)
    page = (
        f'SELECT "picked"."pk" FROM ({union}) "picked"'
        ' ORDER BY "picked"."resolution_due" ASC NULLS LAST, "picked"."pk" ASC'
        f" LIMIT {size} OFFSET {start}"
    )
    head, _, tail = sql.partition(' FROM "desk_ticket" ')
    tail = _LIMIT.sub(f" LIMIT {size}", tail)
    before = head.count("%s")
    # Each range's parameters are the queue's, the viewer's in the team subquery's place.
    page_params = [*inner_params] * len(ranges)
    return (
        f'{head} FROM ({page}) "page" INNER JOIN "desk_ticket"'
        f' ON ("desk_ticket"."id" = "page"."pk") {tail}',
        [*params[:before], *page_params, *params[before:]],
    )


class QueueQueries:
    """The compiled SQL of each queue shape, per database connection."""

    def __init__(self) -> None:
        self._compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, dict[Shape, _Compiled]] = (
            weakref.WeakKeyDictionary()
        )

    def _compile(self, connection: BaseDatabaseWrapper, shape: Shape) -> _Compiled:
        values = {
            name: _placeholder(kind, index) for index, (name, kind) in enumerate(ARGUMENTS.items())
        }
        used = {"user": values["user"]} if _reads_user(shape) else {}
        if shape.queue in ("at_risk", "breached"):
            used["now"] = values["now"]
        if shape.customer:
            used["customer"] = values["customer"]
        if shape.team:
            used["team"] = values["team"]
        assignee = shape.assignee
        if assignee == "id":
            used["assignee"] = values["assignee"]
            assignee = str(values["assignee"])
        user = User(pk=values["user"])
        tickets = agent.queue_tickets(user, shape.queue, now=values["now"])
        tickets = agent.narrow_tickets(
            tickets,
            user,
            status=shape.status,
            priority=shape.priority,
            customer=Customer(pk=values["customer"]) if shape.customer else None,
            team=Team(pk=values["team"]) if shape.team else None,
            category=shape.category,
            assignee=assignee,
        )
        from workmate.desk.views import QUEUE_COUNT_LIMIT, QUEUE_PAGE_SIZE

        # As Django counts a sliced queryset: the slice's rows, counted around it. On
        # PostgreSQL in no order: a capped count needs any 1,001 rows, and with the queue's
        # order it read and sorted every unassigned ticket (9,896 at 200,000: 20 ms) rather
        # than stop at 1,001 (5.7 ms). SQLite keeps the order, which is what makes it walk
        # the queue's partial index (unordered, it chose the merged_into index: every ticket),
        # but for "Unassigned", whose count is told its index (`_count_by_team_sqlite`).
        counted = tickets.values_list("pk")
        by_team = shape.queue == "unassigned"
        if connection.vendor == "postgresql" or by_team:
            counted = counted.order_by()
        counted = counted[: QUEUE_COUNT_LIMIT + 1]
        inner, count_params = counted.query.get_compiler(connection=connection).as_sql()
        if by_team and connection.vendor == "sqlite":
            inner = _count_by_team_sqlite(inner)
        count_sql = f"SELECT COUNT(*) FROM ({inner}) subquery"
        page = queue_rows.values(tickets)[shape.start : shape.start + QUEUE_PAGE_SIZE + 1]
        compiler = page.query.get_compiler(connection=connection)
        rows_sql, rows_params = compiler.as_sql()
        if by_team and connection.vendor in ("postgresql", "sqlite"):
            read = _by_team if connection.vendor == "postgresql" else _by_team_sqlite
            rows_sql, rows_params = read(
                connection, tickets, rows_sql, list(rows_params), shape.start, QUEUE_PAGE_SIZE + 1
            )
        count_sql, count_params, count_slots = _bind(
            connection, count_sql, tuple(count_params), used
        )
        rows_sql, rows_params, rows_slots = _bind(connection, rows_sql, tuple(rows_params), used)
        return _Compiled(
            count_sql, rows_sql, count_params, rows_params, count_slots, rows_slots, compiler
        )

    def compiled(self, shape: Shape, using: str = DEFAULT_DB_ALIAS) -> _Compiled:
        connection = connections[using]
        shapes = self._compiled.get(connection)
        if shapes is None:
            shapes = self._compiled[connection] = {}
        found = shapes.get(shape)
        if found is None:
            found = shapes[shape] = self._compile(connection, shape)
        return found

    def bind(
        self,
        shape: Shape,
        *,
        user: int,
        now: datetime.datetime,
        customer: int | None = None,
        team: int | None = None,
        assignee: int | None = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> Bound:
        values = {"user": user, "now": now, "customer": customer, "team": team}
        values["assignee"] = assignee
        return Bound(self, shape, values, using)


@dataclass
class Bound:
    """One request's queue: its shape and values; `count()`, then `rows(start)`."""

    queries: QueueQueries
    shape: Shape
    values: dict[str, Any]
    using: str

    def params(self, base: tuple[Any, ...], slots: dict[str, list[int]]) -> list[Any]:
        """The compiled parameters with this request's values in their places."""
        connection = connections[self.using]
        params = list(base)
        for name, positions in slots.items():
            adapted = _adapt(connection, ARGUMENTS[name], self.values[name])
            for position in positions:
                params[position] = adapted
        return params

    def _run(self, sql: str, base: tuple[Any, ...], slots: dict[str, list[int]]) -> list:
        connection = connections[self.using]
        params = self.params(base, slots)
        with connection.cursor() as cursor:
            name = _server_prepared(connection, cursor, sql)
            if name is None:
                cursor.execute(sql, params)
            else:
                markers = f"({', '.join(['%s'] * len(params))})" if params else ""
                cursor.execute(f"EXECUTE {name}{markers}", params)
            return cursor.fetchall()

    def count(self) -> int:
        """The queue's tickets, counted up to QUEUE_COUNT_LIMIT + 1."""
        compiled = self.queries.compiled(self.shape._replace(start=0), self.using)
        return int(self._run(compiled.count_sql, compiled.count_params, compiled.count_slots)[0][0])

    def rows(self, start: int) -> list[queue_rows.QueueRow]:
        """The page's rows from `start`, one past the page."""
        compiled = self.queries.compiled(self.shape._replace(start=start), self.using)
        fetched = self._run(compiled.rows_sql, compiled.rows_params, compiled.rows_slots)
        converted = compiled.compiler.results_iter(results=[fetched], tuple_expected=True)
        return queue_rows.rows_of(converted)


# PostgreSQL: the statement names prepared on each server session (the driver's connection
# object, which a reconnect replaces), by SQL text.
_SERVER_PREPARED: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()
_MARKER = re.compile(r"%([%s])")


def _server_prepared(connection: BaseDatabaseWrapper, cursor: Any, sql: str) -> str | None:
    """The name of `sql` prepared on this PostgreSQL session (PREPARE on first use), or None
    to run it as it is (SQLite; a connection closed after each request, as behind PgBouncer
    in transaction mode, where a session's statements would not survive).

    Why: PostgreSQL plans every statement it is sent, and a queue's statements take 3–10 ms
    to plan (desk_ticket's ~35 indexes, most of them partial, are weighed each time) and
    under 1 ms to run (bench/README.md). A prepared statement is planned for its first
    executions and then, once PostgreSQL finds a generic plan no costlier, not at all. The
    SQL has the model's constants as literals (so the partial indexes still match) and each
    request value as a parameter ($1, $2, ...), so the plan never depends on stale values.
    A prepared statement is not undone by a rollback and lives as long as the session.
    """
    if connection.vendor != "postgresql" or connection.settings_dict["CONN_MAX_AGE"] == 0:
        return None
    names = _SERVER_PREPARED.setdefault(connection.connection, {})
    name = names.get(sql)
    if name is None:
        name = f"workmate_queue_{len(names)}"
        numbers = iter(range(1, sql.count("%s") + 1))
        text = _MARKER.sub(lambda m: "%" if m.group(1) == "%" else f"${next(numbers)}", sql)
        cursor.execute(f"PREPARE {name} AS {text}")
        names[sql] = name
    return name


def _reads_user(shape: Shape) -> bool:
    return shape.queue in ("mine", "escalated", "unassigned") or shape.assignee == "me"


QUERIES = QueueQueries()
