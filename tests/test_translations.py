"""The Chinese catalogue is complete, compiled, and covers every UI string."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.services import require

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
SOURCES = (
    "accounts",
    "analysis",
    "complaints",
    "core",
    "exchange",
    "surveys",
    "surveyportal",
    "templates",
)


def test_the_project_catalogue_is_the_only_one():
    # makemessages sends an app's strings to the app's own locale/ when it has
    # one, so they would silently leave the catalogue this file checks.
    app_catalogues = [str(p.relative_to(ROOT)) for p in ROOT.glob("*/locale")]
    assert app_catalogues == [], f"merge into locale/ and delete: {app_catalogues}"


def test_every_message_has_a_chinese_translation():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [], f"translate these in django.po: {untranslated}"
    assert fuzzy == [], f"review these fuzzy entries in django.po: {fuzzy}"


def test_the_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in mo}
    source = {(e.msgctxt, e.msgid): e.msgstr for e in po.translated_entries()}
    assert compiled == source, "run `make messages` to recompile django.mo"


def test_every_translatable_string_in_the_code_is_in_the_catalogue(tmp_path):
    require(shutil.which("xgettext") is not None, "gettext (apt-get install gettext)")
    for name in (*SOURCES, "manage.py"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source,
                tmp_path / name,
                # Without app catalogues every string lands in the project one.
                ignore=shutil.ignore_patterns("__pycache__", "migrations", "locale"),
            )
        elif source.exists():
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale").mkdir()
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={
            "DJANGO_SETTINGS_MODULE": "surveyportal.settings.test",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(tmp_path),
        },
    )
    if result.returncode:
        pytest.fail(result.stderr[-3000:])
    fresh = polib.pofile(str(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"))
    committed = polib.pofile(str(CATALOGUE / "django.po"))
    known = {(e.msgctxt, e.msgid) for e in committed}
    missing = sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in known)
    assert missing == [], f"run `make messages` and translate: {missing[:20]}"
