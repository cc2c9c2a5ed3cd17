"""The demand app's strings are translated into Finnish and Swedish, compiled, and used on its pages."""

from __future__ import annotations

import gettext
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

import osaamo.demand
from osaamo.demand.regions import REGIONS, region_choices, region_name
from tests.web.test_translations import po_entries

LOCALE = Path(osaamo.demand.__file__).parent / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)s")


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_demand_string_is_translated_and_compiled(language: str) -> None:
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    entries = po_entries(po)
    assert len(entries) > 250
    assert [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy] == []
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert [msgid for msgid, msgstr, _ in entries if compiled.gettext(msgid) != msgstr] == [], (
        "run compilemessages in src/osaamo/demand")
    for msgid, msgstr, _ in entries:
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid
    plurals = [block for block in po.read_text(encoding="utf-8").split("\n\n") if "msgid_plural" in block]
    empty = re.compile(r'^msgstr\[\d\] ""\n(?!")', re.M)
    assert len(plurals) > 10 and [block for block in plurals if empty.search(block + "\n")] == []


def test_the_regions_have_their_official_names_in_three_languages() -> None:
    assert len(REGIONS) == 19  # 18 regions of mainland Finland and Åland
    assert (region_name("02", "fi"), region_name("02", "sv"), region_name("02", "en")) == (
        "Varsinais-Suomi", "Egentliga Finland", "Southwest Finland")
    assert region_name("99") == ""
    with translation.override("fi"):
        assert region_choices()[:2] == [("21", "Ahvenanmaa"), ("09", "Etelä-Karjala")]  # in the reader's language


def test_the_employer_pages_speak_finnish_and_swedish(employer: Any, employer_admin: Any) -> None:
    client = Client()
    client.force_login(employer_admin)
    with translation.override("fi"):
        finnish = client.get(reverse("demand:needs", args=["konepaja"])).content.decode()
    assert "Ilmoita osaamistarve" in finnish and "Osaamistarpeet: Konepaja Oy" in finnish
    with translation.override("sv"):
        swedish = client.get(reverse("demand:need_new", args=["konepaja"])).content.decode()
    assert "Anmäl ett kompetensbehov" in swedish and "Egentliga Finland" in swedish
