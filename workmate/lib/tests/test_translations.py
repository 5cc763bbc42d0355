"""The Korean catalog is complete, well-formed, current with the code and actually loaded.

English is the source language. After marking or changing a string, refresh and translate
the catalog with exactly this command (the test below runs the same extraction):

    DEBUG=1 .venv/bin/python manage.py makemessages -l ko --no-location --no-obsolete \
        --ignore=.venv --ignore=staticfiles --ignore=var --ignore=media --ignore=node_modules

then fill in every empty `msgstr` (and clear any `#, fuzzy` flag) in
locale/ko/LC_MESSAGES/django.po and run `manage.py compilemessages --ignore=.venv`.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import polib
from django.core.management import call_command
from django.utils import translation

ROOT = Path(__file__).resolve().parents[3]
LOCALE_DIR = ROOT / "locale"
KO_PO = LOCALE_DIR / "ko" / "LC_MESSAGES" / "django.po"
KO_MO = KO_PO.with_suffix(".mo")
MAKEMESSAGES_IGNORE = [".venv", "staticfiles", "var", "media", "node_modules"]
REFRESH_HINT = (
    "Refresh the catalog with `DEBUG=1 .venv/bin/python manage.py makemessages -l ko "
    "--no-location --no-obsolete "
    + " ".join(f"--ignore={name}" for name in MAKEMESSAGES_IGNORE)
    + "` and translate the new entries in locale/ko/LC_MESSAGES/django.po."
)

# Named (%(name)s) and positional (%s, %d) printf placeholders, brace placeholders ({name})
# and HTML tags: a translation must carry the same ones as its source text.
NAMED_RE = re.compile(r"%\((\w+)\)[sdif]")
POSITIONAL_RE = re.compile(r"%[sdif]")
BRACE_RE = re.compile(r"\{\w*\}")
TAG_RE = re.compile(r"</?[a-zA-Z][\w-]*")

Key = tuple[str | None, str, str | None]


def _needs(program: str) -> None:
    assert shutil.which(program), f"GNU gettext's {program} is missing: apt-get install gettext"


def _catalog(path: Path | None = None) -> polib.POFile:
    path = path or KO_PO
    assert path.exists(), f"{path} is missing. {REFRESH_HINT}"
    return polib.pofile(str(path))


def _live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def _keys(po: polib.POFile) -> set[Key]:
    return {(entry.msgctxt, entry.msgid, entry.msgid_plural or None) for entry in _live_entries(po)}


def _describe(keys: set[Key]) -> str:
    lines = []
    for context, msgid, _plural in sorted(keys, key=lambda key: (key[1], key[0] or "")):
        lines.append(f"  [{context}] {msgid!r}" if context else f"  {msgid!r}")
    return "\n".join(lines)


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def _translated_now(entry: polib.POEntry) -> str:
    """What the running Django returns for the entry (in its singular form)."""
    if entry.msgid_plural:
        if entry.msgctxt:
            return translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
        return translation.ngettext(entry.msgid, entry.msgid_plural, 1)
    if entry.msgctxt:
        return translation.pgettext(entry.msgctxt, entry.msgid)
    return translation.gettext(entry.msgid)


def _markers(text: str) -> tuple[set[str], list[str], list[str], list[str]]:
    text = text.replace("%%", "")
    return (
        set(NAMED_RE.findall(text)),
        POSITIONAL_RE.findall(NAMED_RE.sub("", text)),
        sorted(BRACE_RE.findall(text)),
        sorted(TAG_RE.findall(text)),
    )


def test_catalog_is_complete_and_has_no_fuzzy_entries():
    po = _catalog()
    assert _live_entries(po), "The Korean catalog is empty."
    untranslated = {(e.msgctxt, e.msgid, e.msgid_plural) for e in po.untranslated_entries()}
    fuzzy = {(e.msgctxt, e.msgid, e.msgid_plural) for e in po.fuzzy_entries()}
    assert not untranslated, "Translate these entries:\n" + _describe(untranslated)
    assert not fuzzy, "Check these fuzzy entries and remove their flag:\n" + _describe(fuzzy)


def test_catalog_header_describes_korean():
    po = _catalog()
    assert not po.metadata_is_fuzzy, "Remove the `#, fuzzy` flag from the catalog header."
    assert po.metadata["Language"] == "ko"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"


def test_msgfmt_accepts_the_catalog():
    _needs("msgfmt")
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(KO_PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_translations_keep_placeholders_and_tags():
    problems = []
    for entry in _live_entries(_catalog()):
        source = entry.msgid_plural or entry.msgid
        for text in _translations(entry):
            if text and _markers(text) != _markers(source):
                problems.append(f"  {entry.msgid!r} -> {text!r}")
    assert not problems, "Placeholders or HTML tags differ from the source:\n" + "\n".join(problems)


def test_catalog_covers_every_marked_string(settings, tmp_path, monkeypatch):
    """Re-extract the strings from a copy of the sources and compare with the catalog.

    Steps:
    1. Copy the files makemessages reads (.py, .html, .txt outside the ignored and hidden
       directories) and the committed Korean catalog into a temporary tree. A copy rather
       than the real tree because makemessages writes its intermediate files next to the
       templates it reads and would otherwise touch the working tree.
    2. Run makemessages there, in-process, with the same options as the documented command;
       LOCALE_PATHS is emptied so the only locale directory it finds is the copy's.
    3. Compare the (context, msgid, plural) keys of the regenerated catalog with the committed
       one: new keys need translating, vanished keys are stale.
    """
    _needs("xgettext")
    _needs("msgmerge")
    committed = _catalog()
    skipped_dirs = {*MAKEMESSAGES_IGNORE, "locale", "__pycache__"}

    def skip(directory: str, names: list[str]) -> set[str]:
        return {
            name
            for name in names
            if name.startswith(".")
            or name in skipped_dirs
            or (
                not Path(directory, name).is_dir()
                and Path(name).suffix not in {".py", ".html", ".txt"}
            )
        }

    tree = tmp_path / "tree"
    shutil.copytree(ROOT, tree, ignore=skip)
    copy = tree / "locale" / "ko" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copyfile(KO_PO, copy)

    settings.LOCALE_PATHS = []
    monkeypatch.chdir(tree)
    call_command(
        "makemessages",
        locale=["ko"],
        no_location=True,
        no_obsolete=True,
        ignore_patterns=list(MAKEMESSAGES_IGNORE),
        verbosity=0,
        stdout=io.StringIO(),
    )

    regenerated = _keys(_catalog(copy))
    current = _keys(committed)
    missing, stale = regenerated - current, current - regenerated
    problems = []
    if missing:
        problems.append("Marked in the code but missing from the catalog:\n" + _describe(missing))
    if stale:
        problems.append("In the catalog but no longer in the code:\n" + _describe(stale))
    assert not problems, "\n".join([*problems, REFRESH_HINT])


def test_compiled_catalog_is_loaded_and_current():
    hint = "Run `.venv/bin/python manage.py compilemessages --ignore=.venv` (./test does)."
    assert KO_MO.exists(), f"{KO_MO} is missing. {hint}"
    people = "People"  # A variable, so that xgettext does not extract it from this file.
    with translation.override("ko"):
        assert translation.gettext(people) == "구성원", hint
        stale = [
            entry.msgid
            for entry in _live_entries(_catalog())
            if _translated_now(entry) != _translations(entry)[0]
        ]
    assert not stale, f"The compiled catalog differs from the .po for {stale!r}. {hint}"
