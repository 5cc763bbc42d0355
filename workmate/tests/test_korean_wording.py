"""Korean wording that a reader notices: "김민수 님" is written with a space, everywhere.

The catalog had both "%(name)s님" and "%(name)s 님" (52 to 9), so one page greeted
"김민수 님" and the next said "이하늘님에게 에스컬레이션됨".
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

PO = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"


def test_honorific_follows_a_name_with_a_space():
    glued = [
        line
        for line in PO.read_text(encoding="utf-8").splitlines()
        if line.startswith("msgstr") and re.search(r"(\)s|\}\})님", line)
    ]
    assert glued == []


def test_escalation_hand_off_reads_with_the_space():
    with translation.override("ko"):
        text = _("Escalated (%(level)s) to %(name)s") % {"name": "이하늘", "level": "LE"}
    assert text == "이하늘 님에게 에스컬레이션됨 (LE)"
