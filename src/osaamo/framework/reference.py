"""Reading the reference data files and writing them into the tables, in batches.

Used by the data migration (with historical models) and by `osaamo load_esco` (through
`services.esco_skills_load`), so both load the same way. Functions take the model class as an
argument and import no models themselves.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any

from osaamo.framework.isced import isced_entries

ESCO_DATA_FILE = "esco_skills_v1.2_en.csv.gz"
ESCO_URI_PREFIX = "http://data.europa.eu/esco/skill/"
ESCO_COLUMNS = ("conceptUri", "preferredLabel", "altLabels", "description", "skillType", "collections")
BATCH_SIZE = 1000
ESCO_FIELDS = [
    "preferred_label", "alt_labels", "description", "skill_type", "collections", "search_label", "search_alt_labels",
]

# Field limits of EscoSkill (models.py); longer values are cut rather than failing a whole load.
_MAX_URI = 120
_MAX_SKILL_TYPE = 32
_MAX_COLLECTIONS = 120


class ReferenceDataError(ValueError):
    """A reference data file that cannot be read (wrong columns, not CSV)."""


@dataclass(frozen=True)
class EscoRow:
    uri: str
    preferred_label: dict[str, str]
    alt_labels: str  # one per line
    description: str
    skill_type: str
    collections: str

    def fields(self) -> dict[str, Any]:
        search_label, search_alt_labels = esco_search_fields(self.preferred_label, self.alt_labels)
        return {
            "preferred_label": self.preferred_label,
            "alt_labels": self.alt_labels,
            "description": self.description,
            "skill_type": self.skill_type,
            "collections": self.collections,
            "search_label": search_label,
            "search_alt_labels": search_alt_labels,
        }


def esco_search_fields(preferred_label: dict[str, str], alt_labels: str) -> tuple[str, str]:
    """The lower-case search copies of a skill's labels; alternative labels framed by newlines."""
    label = (preferred_label or {}).get("en") or ""
    lines = [line.strip().lower() for line in (alt_labels or "").splitlines() if line.strip()]
    return label.strip().lower()[:255], ("\n" + "\n".join(lines) + "\n") if lines else ""

def _alt_labels(raw: str) -> str:
    """ESCO exports separate alternative labels by newlines; some derived files use " | "."""
    labels: list[str] = []
    for line in raw.replace("\r", "\n").split("\n"):
        labels.extend(part.strip() for part in line.split(" | "))
    return "\n".join(dict.fromkeys(label for label in labels if label))


def read_esco_csv(stream: IO[str]) -> Iterator[EscoRow]:
    """Rows of an ESCO skills CSV with at least the columns of the shared merged file.

    The English label is the only one ESCO data in the project has; the catalog falls back to it
    for Finnish and Swedish readers (osaamo.translation.FALLBACK_ORDER).
    """
    reader = csv.DictReader(stream)
    missing = [name for name in ("conceptUri", "preferredLabel") if name not in (reader.fieldnames or [])]
    if missing:
        raise ReferenceDataError(f"the ESCO file lacks the column(s) {', '.join(missing)}")
    for row in reader:
        uri = (row.get("conceptUri") or "").strip()
        if not uri.startswith(ESCO_URI_PREFIX) or len(uri) > _MAX_URI:
            continue  # not a skill concept (occupations and groups have other prefixes)
        label = (row.get("preferredLabel") or "").strip()
        yield EscoRow(
            uri=uri,
            preferred_label={"en": label} if label else {},
            alt_labels=_alt_labels(row.get("altLabels") or ""),
            description=(row.get("description") or "").strip(),
            skill_type=(row.get("skillType") or "").strip()[:_MAX_SKILL_TYPE],
            collections=(row.get("collections") or "").strip()[:_MAX_COLLECTIONS],
        )


def open_text(path: Path | str) -> IO[str]:
    """A CSV file, plain or gzip-compressed, as text."""
    path = Path(path)
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def packaged_esco_rows() -> Iterator[EscoRow]:
    """The 13,939 ESCO v1.2 skills shipped with Osaamo."""
    data = resources.files("osaamo.framework").joinpath("data", ESCO_DATA_FILE).read_bytes()
    with io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(data)), encoding="utf-8", newline="") as stream:
        yield from read_esco_csv(stream)


@dataclass(frozen=True)
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def load_esco_rows(model: Any, rows: Iterable[EscoRow], *, batch_size: int = BATCH_SIZE) -> LoadCounts:
    """Insert new skills and update changed ones, by URI; never deletes (outcomes refer to skills)."""
    created = updated = unchanged = 0
    batch: dict[str, EscoRow] = {}

    def flush() -> None:
        nonlocal created, updated, unchanged
        existing = {skill.uri: skill for skill in model.objects.filter(uri__in=list(batch))}
        new, changed = [], []
        for uri, row in batch.items():
            skill = existing.get(uri)
            if skill is None:
                new.append(model(uri=uri, **row.fields()))
                continue
            fields = row.fields()
            if all(getattr(skill, name) == value for name, value in fields.items()):
                unchanged += 1
                continue
            for name, value in fields.items():
                setattr(skill, name, value)
            changed.append(skill)
        if new:
            model.objects.bulk_create(new, batch_size=batch_size)
        if changed:
            model.objects.bulk_update(changed, ESCO_FIELDS, batch_size=batch_size)
        created += len(new)
        updated += len(changed)
        batch.clear()

    for row in rows:
        batch[row.uri] = row  # a repeated URI: the last row wins
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return LoadCounts(created=created, updated=updated, unchanged=unchanged)


def load_isced(model: Any) -> int:
    """Every ISCED-F 2013 code, parents before children; existing codes are updated."""
    entries = sorted(isced_entries().values(), key=lambda entry: (len(entry.code), entry.code))
    existing = set(model.objects.values_list("code", flat=True))
    new, changed = [], []
    for entry in entries:
        values = {
            "level": entry.level,
            "parent_id": entry.parent_code or None,
            "label": dict(entry.labels),
            "description": entry.description,
        }
        if entry.code in existing:
            changed.append(model(code=entry.code, **values))
        else:
            new.append(model(code=entry.code, **values))
    model.objects.bulk_create(new, batch_size=BATCH_SIZE)
    if changed:
        model.objects.bulk_update(changed, ["level", "parent", "label", "description"], batch_size=BATCH_SIZE)
    return len(entries)
