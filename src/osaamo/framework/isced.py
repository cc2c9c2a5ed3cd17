"""ISCED-F 2013 fields of education and training, read from the file shipped with the package.

The database table (`IscedField`) is loaded from the same file by a data migration; this module
serves code that must not need a database (the validator, the migration itself).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from osaamo.translation import translated

DATA_FILE = "isced_f_2013.csv"


@dataclass(frozen=True)
class IscedEntry:
    code: str
    level: str  # broad | narrow | detailed
    parent_code: str
    labels: dict[str, str]  # {"fi", "sv", "en"}
    description: str

    @property
    def label(self) -> str:
        return translated(self.labels)

    @property
    def uri(self) -> str:
        return f"http://data.europa.eu/snb/isced-f/{self.code}"


@cache
def isced_entries() -> dict[str, IscedEntry]:
    """Every ISCED-F 2013 code (220), in code order."""
    text = resources.files("osaamo.framework").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    entries: dict[str, IscedEntry] = {}
    for row in csv.DictReader(text.splitlines()):
        labels = {lang: row.get(f"label_{lang}", "").strip() for lang in ("fi", "sv", "en")}
        entries[row["code"]] = IscedEntry(
            code=row["code"],
            level=row["level"],
            parent_code=row["parent_code"],
            labels={lang: label for lang, label in labels.items() if label},
            description=row.get("description", "").strip(),
        )
    return dict(sorted(entries.items()))


def isced_entry(code: str) -> IscedEntry | None:
    return isced_entries().get(code)
