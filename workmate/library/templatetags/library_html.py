"""The library's long lists written in Python: a space's tree (hundreds of pages) and a
diff (thousands of rows). Through templates they cost ~1 ms per 10 rows; written here
with `escape` they cost a tenth of that (bench/README.md, "Library")."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workmate.lib.urls import reverse_ids
from workmate.library.rendering import DiffRow
from workmate.library.services import TreeRow

register = template.Library()


@register.simple_tag
def page_tree(rows: Sequence[TreeRow], can_write: bool) -> SafeString:
    """Nested lists of the tree; for writers, arrows that move a page among its siblings
    (buttons of the one reorder form around the tree: `move=<page>:<index>`)."""
    review = escape(_("Needs review"))
    up_label, down_label = _("Move “%(title)s” up"), _("Move “%(title)s” down")
    out = ['<ul class="page-tree">']
    for row in rows:
        title = escape(row.title)
        out.append(
            f'<li><span class="tree-item"><a href="{reverse_ids("library:page", row.pk)}">'
            f"{title}</a>"
        )
        if row.needs_review:
            out.append(f' <span class="badge badge-review">{review}</span>')
        if can_write and row.siblings > 1:
            out.append('<span class="tree-move">')
            if row.index > 0:
                label = escape(up_label % {"title": row.title})
                out.append(
                    f'<button type="submit" name="move" value="{row.pk}:{row.index - 1}" '
                    f'class="secondary" aria-label="{label}">↑</button>'
                )
            if row.index + 1 < row.siblings:
                label = escape(down_label % {"title": row.title})
                out.append(
                    f'<button type="submit" name="move" value="{row.pk}:{row.index + 1}" '
                    f'class="secondary" aria-label="{label}">↓</button>'
                )
            out.append("</span>")
        out.append("</span>")
        out.append("<ul>" if row.opens else "</li>")
        out.append("</ul></li>" * row.closes)
    out.append("</ul>")
    return mark_safe("".join(out))


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


@register.simple_tag
def diff_table(rows: Sequence[DiffRow], layout: str) -> SafeString:
    """The rows of a difference as a table: side by side (old | new) or inline."""
    side = layout == "side"
    out = [
        f'<div class="diff-wrap"><table class="diff diff-{"side" if side else "inline"}">'
        f'<caption class="visually-hidden">{escape(_("Differences"))}</caption>'
    ]
    for row in rows:
        if row.kind == "skip":
            text = ngettext(
                "… %(counter)s unchanged line …", "… %(counter)s unchanged lines …", row.skipped
            ) % {"counter": row.skipped}
            out.append(
                f'<tr class="diff-skip"><td colspan="{4 if side else 3}">{escape(text)}</td></tr>'
            )
        elif side:
            out.append(
                f'<tr class="diff-{row.kind}"><th scope="row">{_number(row.old_number)}</th>'
                f'<td class="diff-old">{escape(row.old)}</td>'
                f'<th scope="row">{_number(row.new_number)}</th>'
                f'<td class="diff-new">{escape(row.new)}</td></tr>'
            )
        else:
            if row.kind == "delete":
                cell = f"<del>{escape(row.old)}</del>"
            elif row.kind == "insert":
                cell = f"<ins>{escape(row.new)}</ins>"
            else:
                cell = escape(row.new)
            out.append(
                f'<tr class="diff-{row.kind}"><th scope="row">{_number(row.old_number)}</th>'
                f'<th scope="row">{_number(row.new_number)}</th><td>{cell}</td></tr>'
            )
    if not rows:
        out.append(f"<tr><td>{escape(_('No differences.'))}</td></tr>")
    out.append("</table></div>")
    return mark_safe("".join(out))
