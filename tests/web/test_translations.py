"""The web app's own strings are translated into Finnish and Swedish, and compiled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

import osaamo.web

LOCALE = Path(osaamo.web.__file__).parent / "locale"


def po_entries(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of every entry but the header."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if not match:
            continue

        def join(lines: str) -> str:
            parts = re.findall(r'"((?:[^"\\]|\\.)*)"', lines)
            return "".join(parts).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")

        msgid = join(match.group(1))
        if msgid:
            entries.append((msgid, join(match.group(2)), "#, fuzzy" in block or ", fuzzy" in block))
    return entries


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_web_string_is_translated_and_compiled(language: str) -> None:
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    entries = po_entries(po)
    assert len(entries) > 40
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert untranslated == []
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [msgid for msgid, msgstr, _ in entries if compiled.gettext(msgid) != msgstr]
    assert stale == [], "run compilemessages in src/osaamo/web"
    # Placeholders survive translation.
    for msgid, msgstr, _ in entries:
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr)), msgid
