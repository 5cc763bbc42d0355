"""Django's database sessions, read with one plain statement (SESSION_ENGINE).

Every signed-in request reads its session. Through the ORM that read cost ~0.25 ms of
CPU, building and compiling a queryset, against ~0.04 ms for the statement itself and
the decoding (bench/README.md, "The page shell"). The row, the expiry rule and
everything else are Django's: only the read is written out. Writes (log-in, log-out,
a changed session) go through Django's code unchanged, so logging out still deletes the
row that every web process reads.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

SESSION_COLUMNS = ("session_key", "session_data", "expire_date")


# Database alias -> the statement that reads a live session's data.
_statements: dict[str, str] = {}


class SessionStore(db.SessionStore):
    def _statement(self, using: str) -> str:
        sql = _statements.get(using)
        if sql is None:
            meta = self.model._meta
            quote = connections[using].ops.quote_name
            column = {name: quote(meta.get_field(name).column) for name in SESSION_COLUMNS}
            sql = _statements[using] = (
                f"SELECT {column['session_data']} FROM {quote(meta.db_table)}"
                f" WHERE {column['session_key']} = %s AND {column['expire_date']} > %s"
            )
        return sql

    def load(self) -> dict[str, Any]:
        """The session's data, or {} (and no key) when the row is missing or expired."""
        using = router.db_for_read(self.model)
        connection = connections[using]
        sql = self._statement(using)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
