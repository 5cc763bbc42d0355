"""Reading @mentions: full names (Korean or Latin, spaces), handles and canonical tokens."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from workmate.lib.mentions import Directory, canonical


@dataclass(frozen=True)
class Person:
    pk: int
    full_name: str
    email: str


HAEUN = Person(1, "윤하은", "haeun.yoon@example.com")
ALICE = Person(2, "Alice Kim", "alice@example.com")
AL = Person(3, "Ali", "al@example.com")
MINSU_A = Person(4, "김민수", "minsu@example.com")
MINSU_B = Person(5, "김민수", "minsu.kim@example.org")
PEOPLE = Directory([HAEUN, ALICE, AL, MINSU_A, MINSU_B])


def people(text: str) -> list[object]:
    return [found.person for found in PEOPLE.find(text) if found.person]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@윤하은 확인 부탁드려요", [HAEUN]),
        ("@윤하은님 확인 부탁드려요", [HAEUN]),
        ("@윤하은에게 물어봐요", [HAEUN]),
        ("(@윤하은) 참고", [HAEUN]),
        ("@Alice Kim, please look", [ALICE]),
        ("@alice kim please look", [ALICE]),
        ("@Ali please look", [AL]),
        # A Latin name ends where its word ends: this is Ali's name cut short, and not
        # Alice Kim's name either, but it starts with Alice Kim's handle.
        ("@Alicia please look", []),
        ("@Alice Kimberly please look", [ALICE]),
        ("ask @alice.", [ALICE]),
        ("@alice@example.com and @haeun.yoon", [ALICE, HAEUN]),
        ("@**윤하은|1** 님", [HAEUN]),
        # The number decides: the name in the token may be out of date.
        ("@**Old Name|2**", [ALICE]),
        ("@**김민수|5**", [MINSU_B]),
        ("write to bob@example.com or meet @ 3pm", []),
    ],
)
def test_mentions_are_found_by_name_handle_or_token(text, expected):
    assert people(text) == expected


def test_a_shared_name_is_ambiguous_and_lists_both():
    [found] = PEOPLE.find("@김민수 확인해 주세요")
    assert found.person is None
    assert found.text == "김민수"
    assert found.candidates == [MINSU_A, MINSU_B]


def test_an_unknown_name_is_found_unresolved_with_suggestions():
    [found] = PEOPLE.find("@윤하 안녕")
    assert (found.person, found.candidates, found.text) == (None, [], "윤하")
    assert PEOPLE.suggest("윤하") == [HAEUN]


def test_canonical_token_round_trips_through_the_reader():
    for person in (HAEUN, ALICE, MINSU_A, MINSU_B):
        text = f"{canonical(person)} 확인"
        [found] = PEOPLE.find(text)
        assert found.person == person
        assert found.end == len(canonical(person))
