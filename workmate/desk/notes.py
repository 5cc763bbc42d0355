"""Notes the desk writes itself (about a mail it received), told in each reader's language.

A note an agent types is kept as typed. A note the system writes is a sentence from the
catalogue: it is kept as its message id and parameters (`TicketEntry.system_note`) and
translated when the timeline is shown, so a Korean and an English agent each read it in
their own language, whatever language the worker ran in when it wrote the note.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext


class SystemNote(str):
    """One sentence, as text in the active language, that remembers how to say it again.

    Wrap the message id in `gettext_noop` where it is written, so the catalogue has it:
    `SystemNote(gettext_noop("Follow-up to closed ticket #%(number)s."), number=7)`.
    Parameters must be JSON values (numbers and strings).
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> SystemNote:
        note = super().__new__(cls, say(msgid, params))
        note.msgid = msgid
        note.params = params
        return note

    def as_json(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": self.params}


def say(msgid: str, params: dict[str, Any]) -> str:
    text = gettext(msgid)
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder must not hide the note: say it in English.
        return msgid % params


def stored(notes: Iterable[str]) -> list[dict[str, Any]]:
    """What `TicketEntry.system_note` keeps of these lines; plain text is kept as text."""
    return [
        note.as_json() if isinstance(note, SystemNote) else {"text": str(note)} for note in notes
    ]


def told(system_note: list[dict[str, Any]]) -> str:
    """The stored lines, in the active language."""
    return "\n".join(
        say(line["msgid"], line.get("params") or {}) if "msgid" in line else line.get("text", "")
        for line in system_note
    )
