"""Grading scales: which grades an offering's results may have, and which of them pass.

The scale is the micro-credential version's `grading_scale` (framework vocabulary): 0–5 where 0 is a
fail, or pass / fail. Grades are stored as their codes ("0"…"5", "pass", "fail"); what people type in
a form or a file — also the words a Finnish or Swedish study information system exports, such as
"hyväksytty", "hyl" or "underkänd" — is read into those codes by `Scale.parse`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from osaamo.framework.vocabularies import GradingScale

PASS_WORDS = frozenset({"pass", "passed", "hyväksytty", "hyv", "hyv.", "godkänd", "godkänt"})
FAIL_WORDS = frozenset({"fail", "failed", "hylätty", "hyl", "hyl.", "underkänd", "underkänt"})


@dataclass(frozen=True)
class Scale:
    """A grading scale: its codes from the lowest up, the passing ones, and how each is shown."""

    code: str
    values: tuple[str, ...]
    passing: frozenset[str]
    labels: dict[str, Any]
    description: Any

    def parse(self, raw: Any) -> str | None:
        """The grade code for `raw` (stripped, any case), or None when it is not on this scale."""
        text = " ".join(str(raw if raw is not None else "").split()).lower()
        if text in self.values:
            return text
        if self.code == GradingScale.PASS_FAIL:
            if text in PASS_WORDS:
                return "pass"
            if text in FAIL_WORDS:
                return "fail"
        elif text in FAIL_WORDS:
            return "0"  # a fail on the 0–5 scale is 0
        return None

    def passes(self, grade: str) -> bool:
        return grade in self.passing

    def label(self, grade: str) -> str:
        return str(self.labels.get(grade, grade))

    def choices(self) -> list[tuple[str, str]]:
        """Highest first, as a teacher reads a grading scale."""
        return [(value, self.label(value)) for value in reversed(self.values)]


ZERO_TO_FIVE = Scale(
    code=GradingScale.ZERO_TO_FIVE,
    values=("0", "1", "2", "3", "4", "5"),
    passing=frozenset({"1", "2", "3", "4", "5"}),
    labels={"0": _("0 (fail)"), "5": _("5 (excellent)"), "1": _("1 (sufficient)")},
    description=_("0–5, where 0 is a fail"),
)
PASS_FAIL = Scale(
    code=GradingScale.PASS_FAIL,
    values=("fail", "pass"),
    passing=frozenset({"pass"}),
    labels={"pass": _("Pass"), "fail": _("Fail")},
    description=_("pass / fail"),
)
SCALES: dict[str, Scale] = {ZERO_TO_FIVE.code: ZERO_TO_FIVE, PASS_FAIL.code: PASS_FAIL}


def scale_of(version: Any) -> Scale:
    """The scale of a micro-credential version (0–5 unless it says pass / fail)."""
    return SCALES.get(str(version.grading_scale), ZERO_TO_FIVE)
