"""In a real browser, in Korean: make a page from a template (its variables filled), then
comment on it mentioning a colleague picked from the list; they are told in their inbox.
Then the comments, references and the library's other pages fit a phone's width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, expect

from workmate.accounts.models import User
from workmate.inbox.models import Kind, Notification
from workmate.library import exchange, page_templates
from workmate.library.models import Page, PageComment, SpaceKind
from workmate.testing.browser import login
from workmate.testing.factories import (
    DEFAULT_PASSWORD,
    add_member,
    make_customer,
    make_page,
    make_space,
    make_user,
)

pytestmark = pytest.mark.browser

LONG = ("Q3_결산보고서_최종본_v2-" * 20)[:200]


def test_new_page_from_template_then_a_comment_with_a_mention(page, live_server, team, alice):
    User.objects.filter(pk=alice.pk).update(language="ko")
    haeun = make_user(email="haeun.yoon@example.com", full_name="윤하은", language="ko")
    add_member(team, haeun)
    space = make_space(name="TE 런북", key="TE", kind=SpaceKind.TEAM, team=team)
    template = page_templates.do_create_template(
        alice,
        space,
        name="장애 보고서",
        body="# {{title}}\n\n- 고객: {{customer}}\n- 작성: {{author}}, {{date}}\n\n{% debug %}",
    )
    make_customer(name="한빛은행")
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if isinstance(message, ConsoleMessage) and message.type == "error"
            else None
        ),
    )
    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    page.goto(f"/library/s/{space.key}/")
    page.get_by_role("link", name="템플릿으로 새 문서").click()
    form = page.locator("#from-template-form")
    form.get_by_label("템플릿").select_option(str(template.pk))
    form.get_by_label("제목").fill("DB 장애 {{date}}")
    form.get_by_label("고객").select_option(label="한빛은행")
    form.get_by_role("button", name="문서 만들기").click()

    made = Page.objects.get(template=template)
    page.wait_for_url(f"**/library/pages/{made.pk}/")
    assert re.fullmatch(r"DB 장애 \d{4}-\d{2}-\d{2}", made.title)
    body = made.current_revision.body
    assert "- 고객: 한빛은행\n- 작성: Alice Kim, " in body
    assert body.endswith("{% debug %}")
    assert made.template_revision == template.latest_revision()

    box = page.locator("#comment-form textarea[name=body]")
    box.click()
    box.press_sequentially("검토 부탁해요 @윤하")
    listbox = page.get_by_role("listbox")
    option = listbox.get_by_role("option", name=re.compile("윤하은"))
    expect(option).to_be_visible()
    while option.get_attribute("aria-selected") != "true":
        box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value(f"검토 부탁해요 @**윤하은|{haeun.pk}** ")
    page.locator("#comment-form button[type=submit]").click()

    link = page.locator("#page-comments .comment-body a.mention")
    expect(link).to_have_text("@윤하은")
    comment = PageComment.objects.get()
    assert comment.body == f"검토 부탁해요 @**윤하은|{haeun.pk}**"
    told = Notification.objects.get(recipient=haeun, kind=Kind.MENTION)
    assert told.url == f"/library/pages/{made.pk}/#comment-{comment.pk}"

    # Resolve the thread: it folds under a line saying who resolved it.
    page.locator("#page-comments").get_by_role("button", name="해결").click()
    expect(page.locator("#page-comments li.is-resolved > details > summary")).to_contain_text(
        "Alice Kim 님이 해결함"
    )
    comment.refresh_from_db()
    assert comment.resolved_by == alice
    assert problems == []


@pytest.mark.parametrize("language", ["ko", "en"])
def test_library_pages_of_links_templates_comments_and_imports_fit_a_phone(
    page, live_server, team, alice, language
):
    User.objects.filter(pk=alice.pk).update(language=language)
    space = make_space(name=LONG[:100], key="TE", kind=SpaceKind.TEAM, team=team)
    target = make_page(space=space, owner=alice, title=LONG)
    for number in range(3):
        make_page(space=space, owner=alice, title=f"{LONG[:150]} {number}", body=f"[[{LONG}]]")
    template = page_templates.do_create_template(alice, space, name=LONG, body=LONG)
    from workmate.library import comments

    comments.do_comment(alice, target, LONG)
    result = exchange.PageImport.objects.create(
        space=space,
        created_by=alice,
        file_name=LONG,
        created_pages=[[target.pk, f"{LONG} / {LONG}"]],
        refused=[[f"{LONG}/{LONG}.txt", "it is not a Markdown file (.md)"]],
    )
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    wide = {}
    for url in (
        f"/library/pages/{target.pk}/",
        f"/library/pages/{target.pk}/print/",
        f"/library/s/{space.key}/print/",
        f"/library/s/{space.key}/templates/",
        f"/library/templates/{template.pk}/edit/",
        f"/library/s/{space.key}/new-from-template/",
        f"/library/s/{space.key}/import/",
        f"/library/s/{space.key}/imports/{result.pk}/",
    ):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[url] = width
    assert wide == {}
