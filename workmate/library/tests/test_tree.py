"""Moving and ordering pages in a space's tree."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from workmate.library import services
from workmate.library.models import Page
from workmate.testing.factories import make_page, make_space

pytestmark = pytest.mark.django_db


def titles(space, parent=None):
    return [row.title for row in services.space_tree(space) if row.parent_id == parent]


def test_moving_a_page_under_its_own_descendant_is_refused(space, alice):
    top = make_page(space=space, owner=alice, title="top")
    child = make_page(space=space, owner=alice, title="child", parent=top)
    grandchild = make_page(space=space, owner=alice, title="grandchild", parent=child)

    for target in (top, child, grandchild):
        with pytest.raises(ValidationError) as refused:
            services.do_move_page(alice, top, parent=target)
        assert "parent" in refused.value.message_dict

    top.refresh_from_db()
    assert top.parent is None


def test_moving_to_another_spaces_page_is_refused(space, alice):
    page = make_page(space=space, owner=alice)
    elsewhere = make_page(space=make_space(), owner=alice)
    with pytest.raises(ValidationError):
        services.do_move_page(alice, page, parent=elsewhere)


def test_a_page_moves_under_a_sibling_with_its_children(space, alice):
    first = make_page(space=space, owner=alice, title="가")
    second = make_page(space=space, owner=alice, title="나")
    child = make_page(space=space, owner=alice, title="다", parent=second)

    services.do_move_page(alice, second, parent=first)

    second.refresh_from_db()
    child.refresh_from_db()
    assert second.parent == first and child.parent == second
    assert titles(space) == ["가"]


def test_an_unordered_level_sorts_in_korean_order_and_new_pages_go_last_once_ordered(space, alice):
    for title in ["하늘", "가람", "Zebra", "나무"]:
        make_page(space=space, owner=alice, title=title)
    assert titles(space) == ["가람", "나무", "하늘", "Zebra"]

    zebra = Page.objects.get(title="Zebra")
    services.do_move_page(alice, zebra, parent=None, index=0)
    assert titles(space) == ["Zebra", "가람", "나무", "하늘"]

    make_page(space=space, owner=alice, title="강")
    assert titles(space) == ["Zebra", "가람", "나무", "하늘", "강"]


def test_reordering_among_siblings(space, alice):
    pages = [make_page(space=space, owner=alice, title=t) for t in ["a", "b", "c"]]
    services.do_move_page(alice, pages[0], parent=None, index=2)
    assert titles(space) == ["b", "c", "a"]
    services.do_move_page(alice, pages[0], parent=None, index=99)
    assert titles(space) == ["b", "c", "a"]
    services.do_move_page(alice, pages[2], parent=None, index=0)
    assert titles(space) == ["c", "b", "a"]


def test_readers_cannot_move(space, alice, charlie):
    page = make_page(space=space, owner=alice)
    other = make_page(space=space, owner=alice)
    with pytest.raises(PermissionDenied):
        services.do_move_page(charlie, page, parent=other)
    page.refresh_from_db()
    assert page.parent is None


def test_descendants_are_read_in_one_query(space, alice, django_assert_num_queries):
    top = make_page(space=space, owner=alice)
    parent = top
    for _ in range(5):
        parent = make_page(space=space, owner=alice, parent=parent)
    with django_assert_num_queries(1):
        assert len(services.descendant_ids(top)) == 5


def test_the_tree_sorts_as_the_database_collation_does(space, alice):
    from workmate.library.collation import korean_order

    for title in ["하늘", "가람", "Zebra", "apple", "2단계", "ㄱ 목록", "나무 (old)", "나무"]:
        make_page(space=space, owner=alice, title=title)
    in_database = Page.objects.filter(space=space).order_by(korean_order("title"), "pk")
    assert titles(space) == [page.title for page in in_database]
