"""The eight levels of the European Qualifications Framework (EQF), with their descriptors.

The English descriptors are the official text (Council Recommendation 2017/C 189/03, Annex II);
the Finnish and Swedish ones are Osaamo's translations (see data/README.md). A small fixed table,
read from `data/eqf_levels.json`, not a database table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from django.utils.translation import gettext_lazy as _

from osaamo.translation import translated

DATA_FILE = "eqf_levels.json"
URI_PREFIX = "http://data.europa.eu/snb/eqf/"


@dataclass(frozen=True)
class EqfLevel:
    level: int
    knowledge_i18n: dict[str, str]
    skills_i18n: dict[str, str]
    responsibility_and_autonomy_i18n: dict[str, str]
    typical_finnish_qualifications_i18n: dict[str, str]

    @property
    def uri(self) -> str:
        return f"{URI_PREFIX}{self.level}"

    @property
    def title(self) -> Any:
        return _("EQF level %(level)s") % {"level": self.level}

    @property
    def knowledge(self) -> str:
        return translated(self.knowledge_i18n)

    @property
    def skills(self) -> str:
        return translated(self.skills_i18n)

    @property
    def responsibility_and_autonomy(self) -> str:
        return translated(self.responsibility_and_autonomy_i18n)

    @property
    def typical_finnish_qualifications(self) -> str:
        return translated(self.typical_finnish_qualifications_i18n)

    def descriptors(self, language: str) -> dict[str, str]:
        """The three descriptors in `language` (fi, sv or en)."""
        return {
            "knowledge": translated(self.knowledge_i18n, language),
            "skills": translated(self.skills_i18n, language),
            "responsibility_and_autonomy": translated(self.responsibility_and_autonomy_i18n, language),
        }


@cache
def eqf_levels() -> tuple[EqfLevel, ...]:
    """Levels 1–8 in order."""
    text = resources.files("osaamo.framework").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    levels = [
        EqfLevel(
            level=int(item["level"]),
            knowledge_i18n=dict(item["knowledge"]),
            skills_i18n=dict(item["skills"]),
            responsibility_and_autonomy_i18n=dict(item["responsibility_and_autonomy"]),
            typical_finnish_qualifications_i18n=dict(item.get("typical_finnish_qualifications") or {}),
        )
        for item in json.loads(text)["levels"]
    ]
    return tuple(sorted(levels, key=lambda level: level.level))


def eqf_level(level: int) -> EqfLevel:
    """One level; raises KeyError for anything but 1–8."""
    for item in eqf_levels():
        if item.level == level:
            return item
    raise KeyError(level)


def eqf_choices() -> list[tuple[int, str]]:
    """For a select: [(6, "EQF level 6"), …] in the active language."""
    return [(item.level, str(item.title)) for item in eqf_levels()]


def eqf_level_from_uri(uri: str) -> EqfLevel | None:
    if not uri.startswith(URI_PREFIX):
        return None
    try:
        return eqf_level(int(uri[len(URI_PREFIX):]))
    except (KeyError, ValueError):
        return None
