"""Querysets whose SQL is built once per process and run again with new parameters.

Building a queryset with a few joins and subqueries (the visibility rule) and compiling
it to SQL costs ~1 ms of CPU, more than SQLite takes to run it; My Tasks ran four such
queries on every request (bench/README.md). Their SQL differs between two people or two
days only in its parameters, so `PreparedQuery` builds the queryset once per database
connection with placeholder values, compiles it, remembers where each placeholder landed
among the SQL's parameters, and on each call runs that SQL with the real values, turning
the rows into Python values with the compiled query's own converters (what the queryset
would have returned).

Never stale, never someone else's rows: nothing but the SQL text is kept, and every
value of the call is a parameter of it. Building fails loudly (ImproperlyConfigured) when
a placeholder does not come out as a parameter of its own (folded into the SQL text, or
dropped), so a query whose rows would not depend on the argument is never prepared.
"""

from __future__ import annotations

import datetime
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

# The kinds of argument a prepared query takes, with a placeholder for each position:
# values no real argument takes (ids near the top of a 32-bit column, which Django would
# otherwise turn into an empty result on PostgreSQL; dates in the year 1001).
_ID_BASE = 2_147_480_000
_DAY_BASE = datetime.date(1001, 2, 3)
KINDS = ("id", "date", "datetime")


def _placeholder(kind: str, index: int) -> Any:
    if kind == "id":
        return _ID_BASE + index
    day = _DAY_BASE + datetime.timedelta(days=index)
    if kind == "date":
        return day
    return datetime.datetime(day.year, day.month, day.day, 4, 5, 6, tzinfo=datetime.UTC)


def _adapt(connection: BaseDatabaseWrapper, kind: str, value: Any) -> Any:
    """A value as the ORM hands it to the database driver (what a filter on it does)."""
    if kind == "id":
        return int(value)
    if kind == "date":
        return connection.ops.adapt_datefield_value(value)
    return connection.ops.adapt_datetimefield_value(value)


@dataclass
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    # Argument name -> the positions of its placeholder among `params`.
    slots: dict[str, list[int]]
    # Kept for its converters (dates, aware datetimes), which depend only on the columns.
    compiler: SQLCompiler


class PreparedQuery:
    """A values_list() queryset built by `build(**placeholders)` once per connection.

    `kinds` names each argument and its kind ("id", "date" or "datetime"); `rows(**values)`
    returns the tuples the queryset built with those values would return. `build` must
    depend on nothing but its arguments: not on the active time zone (a `__date` lookup
    writes the zone into the SQL) or language, and a slice is part of the SQL (prepare
    one query per limit).
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], **kinds: str) -> None:
        for name, kind in kinds.items():
            if kind not in KINDS:
                raise ValueError(f"Argument {name!r}: kind {kind!r} is not one of {KINDS}.")
        self.build = build
        self.kinds = kinds
        self._compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Compiled] = (
            weakref.WeakKeyDictionary()
        )

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled:
        placeholders = {
            name: _placeholder(kind, index) for index, (name, kind) in enumerate(self.kinds.items())
        }
        queryset = self.build(**placeholders)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots: dict[str, list[int]] = {}
        for name, kind in self.kinds.items():
            adapted = _adapt(connection, kind, placeholders[name])
            found = [index for index, param in enumerate(params) if param == adapted]
            if not found or str(adapted) in sql:
                raise ImproperlyConfigured(
                    f"Argument {name!r} is not a parameter of its own in the SQL: {sql}"
                )
            slots[name] = found
        return _Compiled(sql, tuple(params), slots, compiler)

    def rows(
        self,
        using: str = DEFAULT_DB_ALIAS,
        *,
        window: tuple[int, int] | None = None,
        **values: Any,
    ) -> list[tuple[Any, ...]]:
        """The rows for `values`; `window` (limit, offset) takes a slice of them, both
        parameters of the SQL, for a query built without a slice (a page of a list)."""
        if values.keys() != self.kinds.keys():
            raise TypeError(f"Give exactly {sorted(self.kinds)}, not {sorted(values)}.")
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        params = list(compiled.params)
        for name, positions in compiled.slots.items():
            adapted = _adapt(connection, self.kinds[name], values[name])
            for position in positions:
                params[position] = adapted
        sql = compiled.sql
        if window is not None:
            if compiled.compiler.query.is_sliced:
                raise ImproperlyConfigured("A window is for a query built without a slice.")
            limit, offset = window
            sql = f"{sql} LIMIT %s OFFSET %s"
            params += [int(limit), int(offset)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return list(compiled.compiler.results_iter(results=[fetched], tuple_expected=True))

    def objects(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[Any]:
        """The model instances (with their select_related() objects) for `values`, for a
        query built as a model queryset rather than values_list(): what iterating the
        queryset built with those values would give."""
        rows = self.rows(using, **values)
        compiler = self._compiled[connections[using]].compiler
        klass_info, select = compiler.klass_info, compiler.select
        if klass_info is None:
            raise ImproperlyConfigured("objects() is for a model queryset, not values().")
        model = klass_info["model"]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, using)
        found = []
        for row in rows:
            instance = model.from_db(using, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            found.append(instance)
        return found
