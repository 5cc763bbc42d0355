"""Writing many workloads at once: INSERT and UPDATE sent as one batch (executemany).

Django's bulk_create and bulk_update prepare every value of every field through the
field classes, and bulk_update builds a CASE expression per column: on 20,000 workloads
of ~60 columns that is most of an import's time. Here each column gets one converter,
picked once from its field type (the database backend's own adapters, so SQLite and
PostgreSQL get the values they expect), and the rows go to the driver as tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

from workmate.advisor.models import Workload


def _converter(field: models.Field) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: ops.adapt_json_value(value, encoder)
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda value: (
            None if value is None else ops.adapt_decimalfield_value(value, digits, places)
        )
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return lambda value: value


def columns(names: Sequence[str]) -> list[tuple[models.Field, Callable[[Any], Any]]]:
    fields = [Workload._meta.get_field(name) for name in names]
    return [(field, _converter(field)) for field in fields]


def update(names: Sequence[str], rows: Iterable[tuple[int, Sequence[Any]]]) -> None:
    """UPDATE the `names` columns of each (pk, values) row."""
    cols = columns(names)
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = %s" for f, _convert in cols)
    sql = f"UPDATE {quote(Workload._meta.db_table)} SET {sets} WHERE {quote('id')} = %s"
    params = [
        [convert(value) for (_f, convert), value in zip(cols, values, strict=True)] + [pk]
        for pk, values in rows
    ]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


def insert(rows: Iterable[dict[str, Any]]) -> None:
    """INSERT workloads given as dicts of field name → value (attname for foreign keys);
    every other column gets its field's default."""
    concrete = [f for f in Workload._meta.concrete_fields if not f.primary_key]
    cols = [(f, _converter(f)) for f in concrete]
    defaults = {f.attname: f.get_default() for f in concrete}
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in concrete)
    marks = ", ".join(["%s"] * len(concrete))
    sql = f"INSERT INTO {quote(Workload._meta.db_table)} ({names}) VALUES ({marks})"
    params = []
    for row in rows:
        params.append(
            [
                convert(row[f.attname] if f.attname in row else defaults[f.attname])
                for f, convert in cols
            ]
        )
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
