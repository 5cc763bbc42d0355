"""Whether a notification's reader may still see what it is about.

A notification carries its object's title and an excerpt. A person who follows a task and
then loses access to it (taken off the team, the project made private, deactivated) must
not keep learning about it. The rule is applied twice:

- when a notification is written (`notify`): recipients who cannot see the object get
  nothing;
- when it is delivered or shown (mail sent later by the worker, the digest built later,
  the inbox page and the API): a notification whose object its reader can no longer see
  is not mailed, left out of the digest, and shown without its title and excerpt.

The inbox sits below the apps whose objects it tells about, so it does not know their
access rules: each app registers, from its `apps.py`, a rule for the prefix of its group
keys ("task", "ticket", "proposal"). A rule answers for many (person, object id) pairs at
once, with a fixed number of queries, so lists and digests stay flat. A prefix with no
rule (a person's own check-in) is visible to its recipient.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping

from django.utils.translation import gettext

from workmate.accounts.models import User

# A rule gets (person, object id) pairs and returns the pairs, as (person id, object id),
# that the person may see.
Rule = Callable[[Collection[tuple[User, int]]], set[tuple[int, int]]]

_rules: dict[str, Rule] = {}


def register(prefix: str, rule: Rule) -> None:
    """Say who may see the objects whose group keys read "`prefix`:<id>"."""
    _rules[prefix] = rule


def _split(group_key: str) -> tuple[str, int] | None:
    prefix, _sep, rest = group_key.partition(":")
    if prefix not in _rules or not rest.isdigit():
        return None
    return prefix, int(rest)


def visible(pairs: Iterable[tuple[User, str]]) -> set[tuple[int, str]]:
    """Of (person, group key) pairs, those whose person may see the object, as
    (person id, group key): one call of each prefix's rule for all pairs."""
    asked: dict[str, set[tuple[User, int]]] = {}
    seen: set[tuple[int, str]] = set()
    for person, key in pairs:
        if not person.is_active:
            continue
        split = _split(key)
        if split is None:
            seen.add((person.pk, key))
        else:
            asked.setdefault(split[0], set()).add((person, split[1]))
    for prefix, wanted in asked.items():
        for person_id, object_id in _rules[prefix](wanted):
            seen.add((person_id, f"{prefix}:{object_id}"))
    return seen


def who_may_see(people: Iterable[User], group_key: str) -> list[User]:
    """The people who may see what `group_key` is about."""
    people = list(people)
    seen = visible((person, group_key) for person in people)
    return [person for person in people if (person.pk, group_key) in seen]


def hidden_ids(notifications: Iterable, people: Mapping[int, User]) -> set[int]:
    """The ids of the notifications whose recipient (looked up in `people`) can no longer
    see what they are about."""
    notifications = list(notifications)
    seen = visible((people[n.recipient_id], n.group_key) for n in notifications)
    return {n.pk for n in notifications if (n.recipient_id, n.group_key) not in seen}


def redact(notifications: Iterable, user: User) -> None:
    """Blank the title and excerpt of `user`'s notifications about what they can no
    longer see (in memory; the rows keep them should access come back)."""
    notifications = list(notifications)
    gone = hidden_ids(notifications, {user.pk: user})
    for notification in notifications:
        if notification.pk in gone:
            notification.title = gettext("something no longer shared with you")
            notification.excerpt = ""
