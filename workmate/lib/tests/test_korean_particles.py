"""Korean sentences never hedge a particle with "이(가)", "을(를)", "은(는)" or "(으)로".

Such a pair is needed only where a particle follows a value filled in at run time; the
catalog words those sentences so that no particle depends on the value (a colon, or a
noun such as "티켓" between the value and the particle).
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
from django.conf import settings

HEDGED = re.compile(r"\((?:이|가|을|를|은|는|와|과|으)\)")


def test_no_korean_translation_hedges_a_particle():
    catalog = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"
    hedged = [
        entry.msgid
        for entry in polib.pofile(str(catalog))
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if HEDGED.search(text)
    ]
    assert hedged == []


def test_no_template_hedges_a_particle():
    root = Path(settings.BASE_DIR) / "templates"
    hedged = [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and HEDGED.search(path.read_text(encoding="utf-8", errors="ignore"))
    ]
    assert hedged == []
