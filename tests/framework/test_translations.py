"""Every string of the framework app has a Finnish and a Swedish translation, compiled."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

import osaamo.framework

LOCALE = Path(osaamo.framework.__file__).parent / "locale"


def _entries(language: str) -> list[tuple[list[str], str, list[str]]]:
    """(flags, msgid, msgstrs) per entry of the .po file, the header left out."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n")[1:]:
        flags: list[str] = []
        parts: dict[str, list[str]] = {}
        current: list[str] | None = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags.extend(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and current is not None:
                current.append(ast.literal_eval(line))
            else:
                keyword, _, value = line.partition(" ")
                current = parts.setdefault(keyword, [])
                current.append(ast.literal_eval(value))
        if "msgid" in parts:
            msgstrs = ["".join(value) for key, value in parts.items() if key.startswith("msgstr")]
            entries.append((flags, "".join(parts["msgid"]), msgstrs))
    return entries


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_no_entry_is_fuzzy_or_empty(language: str) -> None:
    entries = _entries(language)
    assert len(entries) > 150
    for flags, msgid, msgstrs in entries:
        assert "fuzzy" not in flags, msgid
        assert msgstrs and all(text.strip() for text in msgstrs), msgid


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_compiled_catalogue_matches_the_po_file(language: str) -> None:
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as stream:
        catalogue = gettext.GNUTranslations(stream)
    for _flags, msgid, msgstrs in _entries(language):
        assert catalogue.gettext(msgid) == msgstrs[0] or len(msgstrs) > 1, msgid


def test_finnish_and_swedish_translations_differ() -> None:
    finnish = {msgid: msgstrs for _f, msgid, msgstrs in _entries("fi")}
    swedish = {msgid: msgstrs for _f, msgid, msgstrs in _entries("sv")}
    assert finnish.keys() == swedish.keys()
    same = [msgid for msgid in finnish if finnish[msgid] == swedish[msgid] and msgid not in ("ESCO URI", "Portfolio")]
    assert same == []
