"""`reverse()` for URLs whose only arguments are ids, resolved once per process.

List pages link every row to its task, its project and an edit URL: `{% url %}` walks
the URL resolver each time (~30 µs), several times a row. The shape of such a URL never
changes while the process runs, so it is reversed once with placeholder ids and the
row's ids are put in its place.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Placeholder ids: large enough never to occur in a URL's fixed text.
_PLACEHOLDERS = (987654321, 987654322, 987654323)
# (name, argument count, script prefix, URLconf) -> the URL split at its placeholders.
_shapes: dict[tuple[str, int, str, str], list[str]] = {}


def url_shape(name: str, count: int) -> list[str]:
    """The URL `name` with `count` id arguments, split where the ids go (cached per process)."""
    # The script prefix and the URLconf can differ between requests and tests: both are
    # part of the key, so a cached shape is only reused where reverse() would agree.
    key = (name, count, get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF))
    parts = _shapes.get(key)
    if parts is None:
        url = reverse(name, args=_PLACEHOLDERS[:count])
        parts = []
        for placeholder in _PLACEHOLDERS[:count]:
            head, url = url.split(str(placeholder), 1)
            parts.append(head)
        parts.append(url)
        _shapes[key] = parts
    return parts


def reverse_ids(name: str, *ids: int) -> str:
    """`reverse(name, args=ids)` for up to three integer ids, from a per-process cache."""
    parts = url_shape(name, len(ids))
    pieces = [parts[0]]
    for value, tail in zip(ids, parts[1:], strict=True):
        pieces.append(str(int(value)))
        pieces.append(tail)
    return "".join(pieces)


def absolute_url(path: str) -> str:
    """A site path as a full address for mail, calendars and task text (under SITE_URL).

    An address that is already absolute is returned as it is.
    """
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"
