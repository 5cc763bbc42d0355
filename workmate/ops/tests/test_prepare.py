"""`manage.py prepare` does the start-up chores of ./run, each only when it is due."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def prepare() -> str:
    out = io.StringIO()
    call_command("prepare", stdout=out)
    return out.getvalue()


@pytest.fixture
def static_tree(settings, tmp_path):
    source = tmp_path / "static"
    source.mkdir()
    (source / "app.css").write_text("body { color: black }")
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.VAR_DIR = tmp_path / "var"
    settings.LOCALE_PATHS = []
    return source


def test_static_files_are_collected_once_until_a_source_changes(static_tree, settings):
    assert "Collecting static files" in prepare()
    collected = Path(settings.STATIC_ROOT) / "app.css"
    assert collected.read_text() == "body { color: black }"

    # Nothing changed: nothing is collected again.
    assert prepare() == ""

    source = static_tree / "app.css"
    source.write_text("body { color: navy }")
    later = collected.stat().st_mtime_ns + 10**9
    os.utime(source, ns=(later, later))
    assert "Collecting static files" in prepare()
    assert collected.read_text() == "body { color: navy }"


def test_missing_collected_files_are_collected_again(static_tree, settings):
    prepare()
    shutil.rmtree(settings.STATIC_ROOT)
    assert "Collecting static files" in prepare()
    assert (Path(settings.STATIC_ROOT) / "app.css").exists()


def test_migrated_database_is_not_migrated_again(static_tree):
    prepare()
    assert "Migrating" not in prepare()


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="needs GNU gettext's msgfmt")
def test_a_catalog_is_compiled_only_when_its_po_is_newer(static_tree, settings, tmp_path):
    folder = tmp_path / "locale" / "ko" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "django.po"
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Hello"\nmsgstr "안녕하세요"\n'
    )
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    os.chdir(tmp_path)  # compilemessages looks for locale folders below the current one.

    assert "Compiling translations (1 catalogs)" in prepare()
    mo = po.with_suffix(".mo")
    assert mo.exists()
    assert "Compiling" not in prepare()

    stamp = mo.stat().st_mtime_ns
    os.utime(po, ns=(stamp + 10**9, stamp + 10**9))
    assert "Compiling translations" in prepare()
    assert mo.stat().st_mtime_ns > stamp
