"""The facets of the catalog: one per filter, with the values a count is given for.

A facet's counts answer "how many results would there be if I chose this value", so each facet
is counted with every *other* filter applied and its own left out (choosing another EQF level, or
another university, is always possible). For a facet whose filter is not in use the counts are
simply the results that have each value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _


class FacetName:
    ECTS = "ects"
    EQF_LEVEL = "eqf_level"
    ISCED = "isced"
    LANGUAGE = "language"
    MODE = "mode"
    PROVIDER = "provider"
    PRICE = "price"
    START_MONTH = "start_month"

    ALL: tuple[str, ...] = (ECTS, EQF_LEVEL, ISCED, LANGUAGE, MODE, PROVIDER, PRICE, START_MONTH)


FACET_LABELS = {
    FacetName.ECTS: _("Scope (ECTS)"),
    FacetName.EQF_LEVEL: _("Level (EQF)"),
    FacetName.ISCED: _("Field of education"),
    FacetName.LANGUAGE: _("Language of instruction"),
    FacetName.MODE: _("Form of participation"),
    FacetName.PROVIDER: _("University"),
    FacetName.PRICE: _("Price"),
    FacetName.START_MONTH: _("Starts in"),
}


@dataclass(frozen=True)
class EctsRange:
    """A range of the ECTS facet; choosing it sets the ECTS filter to `low`–`high` (both inclusive)."""

    key: str
    low: Decimal | None
    high: Decimal | None
    label: Any  # a lazy translation

    def contains_tenths_sql(self, column: str) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"{column} >= {int(self.low * 10)}")
        if self.high is not None:
            parts.append(f"{column} <= {int(self.high * 10)}")
        return " AND ".join(parts) or "1 = 1"


# ECTS are given in tenths (2.5 is possible), so the ranges meet at a tenth, not at a whole number.
ECTS_RANGES: tuple[EctsRange, ...] = (
    EctsRange("0-2.9", None, Decimal("2.9"), _("under 3 ECTS")),
    EctsRange("3-5", Decimal("3"), Decimal("5"), _("3–5 ECTS")),
    EctsRange("5.1-10", Decimal("5.1"), Decimal("10"), _("over 5, up to 10 ECTS")),
    EctsRange("10.1-20", Decimal("10.1"), Decimal("20"), _("over 10, up to 20 ECTS")),
    EctsRange("20.1-", Decimal("20.1"), None, _("over 20 ECTS")),
)
ECTS_RANGE_BY_KEY = {item.key: item for item in ECTS_RANGES}


def ects_range_of(low: Decimal | None, high: Decimal | None) -> str:
    """The key of the range exactly equal to the ECTS filter `low`–`high`, or ""."""
    for item in ECTS_RANGES:
        if item.low == low and item.high == high:
            return item.key
    return ""


def ects_range_links(params: Any, counts: dict[str, int]) -> list[dict[str, Any]]:
    """The ECTS ranges as links: the current query with the range chosen, its count, whether chosen.

    `params` is the request's QueryDict; a range with no results is left out unless it is chosen.
    """
    links = []
    current = (params.get("ects_min") or "", params.get("ects_max") or "")
    for item in ECTS_RANGES:
        chosen = current == (_plain(item.low), _plain(item.high))
        count = counts.get(item.key, 0)
        if not count and not chosen:
            continue
        query = params.copy()
        query.pop("page", None)
        query["ects_min"], query["ects_max"] = _plain(item.low), _plain(item.high)
        links.append({"key": item.key, "label": item.label, "count": count, "chosen": chosen,
                      "query": query.urlencode()})
    return links


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")
