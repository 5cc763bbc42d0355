"""@mentions in text people write: found by full name, e-mail handle or a canonical token.

A mention starts with `@` at the start of the text or after a character that cannot be
part of a word or an address (so `bob@example.com` mentions nobody). What follows is,
in this order:

1. the canonical token the autocomplete inserts, `@**Full Name|42**`: person 42,
   whatever their name is now (the name is there for the reader of the raw text);
   `@**Full Name**` without the number names a person by full name or handle;
2. a full name as typed, `@윤하은` or `@Alice Kim` (spaces included): the longest name
   of the people who can be mentioned that the text goes on with, ignoring case. A Latin
   name must end where the word ends (`@Alice Kimberly` is not Alice Kim); a Korean name
   may carry a particle (`@윤하은님`, `@윤하은에게`);
3. an e-mail handle, `@alice`, or the whole address, `@alice@example.com`.

This module knows nothing of models: it matches text against any objects with `pk`,
`full_name` and `email`, so the service (who may be mentioned) and the renderer (who
was mentioned) share one reading of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

CANONICAL_RE = re.compile(r"\*\*([^*|\n]{1,150})(?:\|(\d{1,12}))?\*\*")
HANDLE_RE = re.compile(r"[\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?")
# The character before an `@` that starts a mention: none, or one that is not part of a
# word or an address.
_BEFORE_RE = re.compile(r"[\w.+-]")


class Mentionable(Protocol):
    pk: int
    full_name: str
    email: str


@dataclass
class Found:
    """One `@…` in the text: who it names, or why it names nobody."""

    start: int
    end: int
    text: str
    person: Mentionable | None = None
    # More than one person answers to `text` (same full name or handle).
    candidates: list[Mentionable] = field(default_factory=list)


TOKEN_ID_RE = re.compile(r"@\*\*[^*|\n]{1,150}\|(\d{1,12})\*\*")


def mentioned_ids(text: str) -> list[int]:
    """The people's ids in the canonical tokens of `text`, in order, once each."""
    return list(dict.fromkeys(int(number) for number in TOKEN_ID_RE.findall(text or "")))


def plain_mentions(text: str) -> str:
    """`text` with each canonical token written as the plain `@Name` it shows."""
    return PLAIN_TOKEN_RE.sub(lambda match: "@" + match.group(1).strip(), text or "")


PLAIN_TOKEN_RE = re.compile(r"@\*\*([^*|\n]{1,150})\|\d{1,12}\*\*")


def canonical(person: Mentionable) -> str:
    """The token the autocomplete inserts for `person`: survives renames and namesakes."""
    name = person.full_name.replace("*", "").replace("|", "").strip() or handle_of(person)
    return f"@**{name}|{person.pk}**"


def handle_of(person: Mentionable) -> str:
    return person.email.split("@")[0].lower()


def _is_hangul(char: str) -> bool:
    return "\uac00" <= char <= "\ud7a3" or "\u3131" <= char <= "\u318e"


class Directory:
    """The people a text can mention, indexed once for every `@` in it."""

    def __init__(self, people: Iterable[Mentionable]) -> None:
        self.people = list(people)
        self.by_pk = {person.pk: person for person in self.people}
        self.by_name: dict[str, list[Mentionable]] = {}
        self.by_handle: dict[str, list[Mentionable]] = {}
        for person in self.people:
            name = " ".join(person.full_name.split()).lower()
            if name:
                self.by_name.setdefault(name, []).append(person)
            self.by_handle.setdefault(person.email.lower(), []).append(person)
            local = handle_of(person)
            if local != person.email.lower():
                self.by_handle.setdefault(local, []).append(person)
        # Longest first, so `@Alice Kim` finds Alice Kim before a colleague called Alice.
        self.names = sorted(self.by_name, key=len, reverse=True)

    def _name_at(self, lowered: str, start: int) -> tuple[str, int] | None:
        for name in self.names:
            if not lowered.startswith(name, start):
                continue
            end = start + len(name)
            following = lowered[end : end + 1]
            if not following or not (following.isalnum() or following == "_"):
                return name, end
            if _is_hangul(name[-1]) and _is_hangul(following):
                # A Korean particle or honorific after the name: 윤하은님, 윤하은에게.
                return name, end
        return None

    def find(self, text: str) -> Iterator[Found]:
        """Every mention in `text`, in order, resolved or not."""
        lowered = text.lower()
        position = 0
        while (at := text.find("@", position)) != -1:
            position = at + 1
            if at > 0 and _BEFORE_RE.match(text[at - 1]):
                continue
            found = self._read(text, lowered, at)
            if found is not None:
                position = found.end
                yield found

    def read_at(self, text: str, at: int) -> Found | None:
        """The mention that starts at `text[at]` (an `@`), if the text has one there."""
        if at > 0 and _BEFORE_RE.match(text[at - 1]):
            return None
        return self._read(text, text.lower(), at)

    def _read(self, text: str, lowered: str, at: int) -> Found | None:
        start = at + 1
        token = CANONICAL_RE.match(text, start)
        if token:
            label, number = token.group(1).strip(), token.group(2)
            found = Found(at, token.end(), label)
            if number is not None:
                found.person = self.by_pk.get(int(number))
                return found
            key = " ".join(label.split()).lower()
            self._settle(found, self.by_name.get(key) or self.by_handle.get(key) or [])
            return found
        name = self._name_at(lowered, start)
        if name is not None:
            key, end = name
            found = Found(at, end, text[start:end])
            self._settle(found, self.by_name[key])
            return found
        handle = HANDLE_RE.match(text, start)
        if handle is None:
            return None
        # A sentence may end right after a handle: `ask @bob.`
        word = handle.group(0).rstrip(".")
        found = Found(at, start + len(word), word)
        self._settle(found, self.by_handle.get(word.lower(), []))
        return found

    @staticmethod
    def _settle(found: Found, people: list[Mentionable]) -> None:
        if len(people) == 1:
            found.person = people[0]
        else:
            found.candidates = people

    def suggest(self, text: str, limit: int = 5) -> list[Mentionable]:
        """People whose name or handle contains `text`, for an error that names nobody."""
        needle = text.lower()
        return [
            person
            for person in self.people
            if needle and (needle in person.full_name.lower() or needle in person.email.lower())
        ][:limit]
