"""What a credential says about the result it certifies — the grade, the date, the identity verification —
and where bulk issuing gets it.

The credentials app does not know where results are recorded. An app that records them (the assessment
app) registers a source when it starts (`register_award_source` in its `AppConfig.ready()`), so the
arrow between the apps keeps pointing one way: assessment → credentials. Without a source, a completed
enrolment is certified without a grade, dated the day it was completed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Award:
    grade: str = ""  # "1"…"5" or "pass" (what `services.clean_grade` accepts); "" for none
    awarded_on: date | None = None
    identity_verification: str = ""  # a framework IdentityVerification code; "" for the version's own


# (offering, enrolment ids) → {enrolment id: Award} for those of them it knows.
AwardSource = Callable[[Any, Sequence[int]], Mapping[int, Award]]
_sources: list[AwardSource] = []


def register_award_source(source: AwardSource) -> None:
    if source not in _sources:
        _sources.append(source)


def awards_for(offering: Any, enrolment_ids: Sequence[int]) -> dict[int, Award]:
    found: dict[int, Award] = {}
    for source in _sources:
        found.update(source(offering, enrolment_ids))
    return found
