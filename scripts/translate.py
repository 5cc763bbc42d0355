"""Fill Korean translations from a TSV (msgid<TAB>msgstr, or ctxt<TAB>msgid<TAB>msgstr).

Usage: .venv/bin/python scripts/translate.py FILE.tsv  (then scripts/makemessages)
"""

from __future__ import annotations

import sys

import polib

PO = "locale/ko/LC_MESSAGES/django.po"


def main(path: str) -> None:
    wanted: dict[tuple[str | None, str], str] = {}
    with open(path, encoding="utf-8") as lines:
        rows = [line.rstrip("\n").split("\t") for line in lines]
    for parts in rows:
        if len(parts) == 2:
            wanted[(None, parts[0])] = parts[1]
        elif len(parts) == 3:
            wanted[(parts[0] or None, parts[1])] = parts[2]
    po = polib.pofile(PO)
    done = 0
    for entry in po:
        key = (entry.msgctxt, entry.msgid)
        if key in wanted:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: wanted[key]}
            else:
                entry.msgstr = wanted[key]
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            entry.previous_msgid = None
            entry.previous_msgctxt = None
            entry.previous_msgid_plural = None
            done += 1
    po.save()
    print(f"translated {done} of {len(wanted)}")


if __name__ == "__main__":
    main(sys.argv[1])
