"""The library's pages through the client: space home and tree, page, edit with the
stale-save refusal, history, diff, restore, verify, move, attachments."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workmate.library import services
from workmate.library.models import Page, PageAttachment, TrustState
from workmate.testing.factories import make_page

pytestmark = pytest.mark.django_db


def page_url(name, page, *args):
    return reverse(f"library:{name}", args=[page.pk, *args])


# --- Space home ------------------------------------------------------------------------


def test_space_home_shows_the_tree_nested_in_korean_order(client, space, alice, bob):
    top = make_page(space=space, owner=alice, title="운영")
    make_page(space=space, owner=alice, title="배포", parent=top)
    make_page(space=space, owner=alice, title="가이드")
    client.force_login(bob)

    response = client.get(space.get_absolute_url())

    assert response.status_code == 200
    assert [(row.title, row.depth) for row in response.context["tree"]] == [
        ("가이드", 0),
        ("운영", 0),
        ("배포", 1),
    ]
    html = response.content.decode()
    html = html[html.index('id="page-tree"') :]
    assert html.index("가이드") < html.index("운영") < html.index("배포")
    # Bob writes here: the tree offers to reorder the top level.
    assert 'name="move"' in html


def test_space_home_puts_pages_needing_review_first_and_filters_by_state(client, space, alice, bob):
    stale = make_page(space=space, owner=alice, title="오래된 문서")
    fresh = make_page(space=space, owner=alice, title="새 문서")
    services.do_verify_page(alice, fresh)
    client.force_login(bob)

    response = client.get(space.get_absolute_url())
    assert [p.title for p in response.context["to_review"]] == [stale.title]

    response = client.get(space.get_absolute_url(), {"state": "verified"})
    assert [p.title for p in response.context["filtered"]] == ["새 문서"]
    response = client.get(space.get_absolute_url(), {"state": "needs_review"})
    assert [p.title for p in response.context["filtered"]] == ["오래된 문서"]


def test_space_home_filters_by_tag(client, space, alice):
    make_page(space=space, owner=alice, title="tagged", tags=["런북"])
    make_page(space=space, owner=alice, title="plain")
    client.force_login(alice)
    response = client.get(space.get_absolute_url(), {"tag": "런북"})
    assert [p.title for p in response.context["filtered"]] == ["tagged"]


def test_a_bad_state_filter_shows_the_tree(client, space, alice):
    make_page(space=space, owner=alice)
    client.force_login(alice)
    response = client.get(space.get_absolute_url(), {"state": "bogus"})
    assert response.status_code == 200 and len(response.context["tree"]) == 1


@pytest.mark.parametrize("pages", [3, 30])
def test_space_home_query_count_is_constant(client, space, alice, pages, django_assert_num_queries):
    parent = None
    for number in range(pages):
        page = make_page(space=space, owner=alice, title=f"문서 {number}", parent=parent)
        parent = page if number % 3 == 0 else parent
    client.force_login(alice)
    client.get(space.get_absolute_url())
    # session, user, space, memberships (role, team role), tree, review, recent, drafts
    with django_assert_num_queries(9):
        client.get(space.get_absolute_url())


# --- A page ----------------------------------------------------------------------------


def test_page_shows_breadcrumbs_outline_text_tags_and_banner(client, space, alice, bob):
    top = make_page(space=space, owner=alice, title="운영")
    page = make_page(
        space=space,
        owner=alice,
        title="배포 절차",
        parent=top,
        body="# 준비\n\n<script>alert(1)</script>\n\n## 롤백\n",
        tags=["runbook"],
    )
    client.force_login(bob)

    response = client.get(page.get_absolute_url())

    html = response.content.decode()
    assert response.context["crumbs"] == [(top.pk, "운영")]
    assert [h.text for h in response.context["rendered"].outline] == ["준비", "롤백"]
    assert '<h2 id="h-롤백">' in html and 'href="#h-롤백"' in html
    assert "<script>alert" not in html
    assert "#runbook" in html
    assert "Needs review" in html
    # Bob is neither owner nor editor: no verify button.
    assert reverse("library:verify", args=[page.pk]) not in html


def test_verified_page_says_by_whom_and_until_when(client, space, alice):
    page = make_page(space=space, owner=alice)
    services.do_verify_page(alice, page)
    client.force_login(alice)
    html = client.get(page.get_absolute_url()).content.decode()
    assert "Verified" in html and "by Alice Kim" in html


@pytest.mark.parametrize("extra", [0, 25])
def test_page_query_count_is_constant(client, space, alice, extra, django_assert_num_queries):
    parent = make_page(space=space, owner=alice)
    page = make_page(space=space, owner=alice, parent=parent, tags=["a", "b"])
    for number in range(extra):
        make_page(space=space, owner=alice, parent=page if number % 2 else parent)
    client.force_login(alice)
    client.get(page.get_absolute_url())
    # session, user, page, ancestors, tags, attachments, children, drafts, role, team role,
    # what links here, comments
    with django_assert_num_queries(12):
        client.get(page.get_absolute_url())


# --- Creating and editing --------------------------------------------------------------


def test_member_creates_a_page_under_another(client, space, alice, bob):
    parent = make_page(space=space, owner=alice)
    client.force_login(bob)
    response = client.post(
        reverse("library:page_new", args=[space.key]) + f"?parent={parent.pk}",
        {"title": "  새 런북 ", "body": "# 시작", "summary": "처음", "tags": "a, A, b"},
    )
    page = Page.objects.get(title="새 런북")
    assert response.status_code == 302 and response["Location"] == page.get_absolute_url()
    assert page.parent == parent and page.owner == bob
    assert page.current_revision.summary == "처음"
    assert sorted(t.name for t in page.tags.all()) == ["a", "b"]


def test_new_page_without_a_title_is_refused_with_the_text_kept(client, space, bob):
    client.force_login(bob)
    response = client.post(
        reverse("library:page_new", args=[space.key]), {"title": " ", "body": "keep me"}
    )
    assert response.status_code == 200
    assert "keep me" in response.content.decode()
    assert not Page.objects.exists()


def test_edit_saves_a_revision_with_its_summary(client, space, alice, bob):
    page = make_page(space=space, owner=alice, body="v1")
    client.force_login(bob)
    form = client.get(page_url("edit", page)).context["form"]
    assert form.initial["base_number"] == 1

    response = client.post(
        page_url("edit", page),
        {"title": page.title, "body": "v2", "summary": "더 명확하게", "base_number": 1},
    )

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.current_revision.number == 2
    assert (page.current_revision.body, page.current_revision.summary) == ("v2", "더 명확하게")
    assert page.trust_state == TrustState.NEEDS_REVIEW


def test_stale_save_is_refused_keeping_the_typed_text_and_showing_their_change(
    client, space, alice, bob
):
    page = make_page(space=space, owner=alice, body="step 1\nstep 2\n")
    services.do_save_page(
        alice,
        page,
        base_number=1,
        title=page.title,
        body="step 1\nstep 2\nstep 3 (alice)\n",
        summary="added step 3",
    )
    client.force_login(bob)

    response = client.post(
        page_url("edit", page),
        {
            "title": page.title,
            "body": "step 1 (bob)\nstep 2\n",
            "summary": "mine",
            "base_number": 1,
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice Kim saved this page while you were editing it" in html
    form = response.context["form"]
    assert form["body"].value() == "step 1 (bob)\nstep 2\n"
    assert form["base_number"].value() == "2"
    assert "step 1 (bob)" in html  # the textarea keeps what Bob typed
    assert "<ins>step 3 (alice)</ins>" in html  # Alice's change
    assert "added step 3" in html
    page.refresh_from_db()
    assert page.revisions.count() == 2 and page.current_revision.author == alice

    # Bob merges by hand and saves from the revision he was shown.
    response = client.post(
        page_url("edit", page),
        {
            "title": page.title,
            "body": "step 1 (bob)\nstep 2\nstep 3 (alice)\n",
            "summary": "merged",
            "base_number": 2,
        },
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.current_revision.body == "step 1 (bob)\nstep 2\nstep 3 (alice)\n"


def test_readers_cannot_open_the_editor(client, space, alice, charlie):
    page = make_page(space=space, owner=alice)
    client.force_login(charlie)
    assert client.get(page_url("edit", page)).status_code == 403
    response = client.post(page_url("edit", page), {"title": "x", "body": "y", "base_number": 1})
    assert response.status_code == 403
    assert page.revisions.count() == 1


# --- History, diff, restore ------------------------------------------------------------


def _three_revisions(space, alice):
    page = make_page(space=space, owner=alice, title="문서", body="a\nb\nc")
    services.do_save_page(alice, page, base_number=1, title="문서", body="a\nB\nc")
    services.do_save_page(alice, page, base_number=2, title="문서 v3", body="a\nB\nc\nd")
    return page


def test_history_lists_revisions_newest_first(client, space, alice, bob):
    page = _three_revisions(space, alice)
    client.force_login(bob)
    response = client.get(page_url("history", page))
    assert [r.number for r in response.context["revisions"]] == [3, 2, 1]


@pytest.mark.parametrize("revisions", [3, 30])
def test_history_query_count_is_constant(
    client, space, alice, revisions, django_assert_num_queries
):
    page = make_page(space=space, owner=alice, body="0")
    for number in range(1, revisions):
        services.do_save_page(alice, page, base_number=number, title=page.title, body=str(number))
    client.force_login(alice)
    client.get(page_url("history", page))
    # session, user, page, count, revisions, role, team role
    with django_assert_num_queries(7):
        client.get(page_url("history", page))


def test_diff_between_any_two_revisions_side_by_side_and_inline(client, space, alice, bob):
    page = _three_revisions(space, alice)
    client.force_login(bob)

    side = client.get(page_url("diff", page), {"from": 1, "to": 3})
    inline = client.get(page_url("diff", page), {"from": 1, "to": 3, "view": "inline"})

    assert [(r.kind, r.old, r.new) for r in side.context["rows"]] == [
        ("equal", "a", "a"),
        ("change", "b", "B"),
        ("equal", "c", "c"),
        ("insert", "", "d"),
    ]
    assert "<del>b</del>" in inline.content.decode()
    assert "“문서” → “문서 v3”" in side.content.decode()


@pytest.mark.parametrize(
    "query", [{"from": 1}, {"from": 1, "to": 99}, {"from": "x", "to": 1}, {"from": 1, "to": 10**30}]
)
def test_diff_with_missing_or_bad_revisions_is_404(client, space, alice, query):
    page = _three_revisions(space, alice)
    client.force_login(alice)
    assert client.get(page_url("diff", page), query).status_code == 404


def test_restore_makes_a_new_revision(client, space, alice, bob):
    page = _three_revisions(space, alice)
    client.force_login(bob)
    response = client.post(page_url("restore", page, 1), {"base_number": 3})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.current_revision.number == 4
    assert (page.title, page.current_revision.body) == ("문서", "a\nb\nc")


def test_restore_from_a_stale_page_is_refused(client, space, alice, bob):
    page = _three_revisions(space, alice)
    client.force_login(bob)
    client.post(page_url("restore", page, 1), {"base_number": 2})
    page.refresh_from_db()
    assert page.current_revision.number == 3


# --- Trust, approval, move -------------------------------------------------------------


def test_owner_verifies_through_the_page(client, space, alice):
    page = make_page(space=space, owner=alice)
    client.force_login(alice)
    assert client.post(page_url("verify", page)).status_code == 302
    page.refresh_from_db()
    assert page.trust_state == TrustState.VERIFIED


def test_a_member_cannot_verify_someone_elses_page(client, space, alice, bob):
    page = make_page(space=space, owner=alice)
    client.force_login(bob)
    assert client.post(page_url("verify", page)).status_code == 403
    page.refresh_from_db()
    assert page.trust_state == TrustState.NEEDS_REVIEW


def test_verify_needs_post(client, space, alice):
    page = make_page(space=space, owner=alice)
    client.force_login(alice)
    assert client.get(page_url("verify", page)).status_code == 405


def test_editor_approves_a_draft_from_the_page(client, space, alice, bob):
    space.requires_approval = True
    space.save()
    page = make_page(space=space, owner=alice, body="v1")
    draft = services.do_save_page(bob, page, base_number=1, title=page.title, body="v2")
    client.force_login(alice)
    assert "Edits waiting for approval" in client.get(page.get_absolute_url()).content.decode()

    client.post(page_url("decide", page, draft.number), {"decision": "approve"})

    page.refresh_from_db()
    assert page.current_revision == draft


def test_member_cannot_approve_from_the_page(client, space, alice, bob):
    space.requires_approval = True
    space.save()
    page = make_page(space=space, owner=alice, body="v1")
    draft = services.do_save_page(bob, page, base_number=1, title=page.title, body="v2")
    client.force_login(bob)
    assert (
        client.post(page_url("decide", page, draft.number), {"decision": "approve"}).status_code
        == 403
    )
    page.refresh_from_db()
    assert page.current_revision.number == 1


def test_moving_under_its_own_child_is_refused(client, space, alice):
    top = make_page(space=space, owner=alice, title="top")
    child = make_page(space=space, owner=alice, title="child", parent=top)
    client.force_login(alice)

    response = client.post(page_url("move", top), {"parent": child.pk})

    assert response.status_code == 400
    assert "cannot be moved under itself" in response.content.decode()
    top.refresh_from_db()
    assert top.parent is None
    # Nor is it offered.
    choices = dict(client.get(page_url("move", top)).context["form"].fields["parent"].choices)
    assert str(child.pk) not in choices and str(top.pk) not in choices


@pytest.mark.parametrize("value", ["", "x:1", "1", "99999999999999999999:0", "1:-1", "1:x"])
def test_bad_reorder_values_change_nothing(client, space, alice, value):
    page = make_page(space=space, owner=alice)
    client.force_login(alice)
    response = client.post(reverse("library:reorder", args=[space.key]), {"move": value})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.position == 0


def test_readers_cannot_reorder(client, space, alice, charlie):
    first = make_page(space=space, owner=alice, title="가")
    make_page(space=space, owner=alice, title="나")
    client.force_login(charlie)
    response = client.post(reverse("library:reorder", args=[space.key]), {"move": f"{first.pk}:1"})
    assert response.status_code == 403
    first.refresh_from_db()
    assert first.position == 0


def test_tree_arrows_reorder_siblings(client, space, alice):
    first = make_page(space=space, owner=alice, title="가")
    make_page(space=space, owner=alice, title="나")
    client.force_login(alice)
    response = client.post(reverse("library:reorder", args=[space.key]), {"move": f"{first.pk}:1"})
    assert response["Location"] == space.get_absolute_url()
    tree = client.get(space.get_absolute_url()).context["tree"]
    assert [row.title for row in tree] == ["나", "가"]


# --- Attachments -----------------------------------------------------------------------


def test_attach_and_download_a_file(client, space, alice, bob):
    page = make_page(space=space, owner=alice)
    client.force_login(bob)
    upload = SimpleUploadedFile("절차.txt", "내용".encode(), content_type="text/plain")
    client.post(page_url("attachment_add", page), {"file": upload})
    item = PageAttachment.objects.get(page=page)
    assert item.name == "절차.txt" and item.uploaded_by == bob

    response = client.get(reverse("library:attachment", args=[item.pk]))
    assert b"".join(response.streaming_content) == "내용".encode()
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_unsafe_or_oversized_uploads_are_refused(client, space, alice, settings):
    settings.WORK_ATTACHMENT_MAX_BYTES = 10
    page = make_page(space=space, owner=alice)
    client.force_login(alice)
    program = SimpleUploadedFile(
        "x.exe", b"MZ\x90\x00\x03", content_type="application/x-msdownload"
    )
    response = client.post(page_url("attachment_add", page), {"file": program}, follow=True)
    assert "Files of this type cannot be attached" in response.content.decode()
    big = SimpleUploadedFile("big.txt", b"x" * 11, content_type="text/plain")
    response = client.post(page_url("attachment_add", page), {"file": big}, follow=True)
    assert not PageAttachment.objects.exists()
    assert "larger than the limit" in response.content.decode()


def test_tag_page_lists_readable_pages_only(client, space, private_space, alice, bob):
    make_page(space=space, owner=alice, title="공개", tags=["ops"])
    make_page(space=private_space, owner=alice, title="비밀 문서", tags=["ops"])
    client.force_login(bob)
    response = client.get(reverse("library:tag", args=["OPS"]))
    assert [p.title for p in response.context["pages"]] == ["공개"]
