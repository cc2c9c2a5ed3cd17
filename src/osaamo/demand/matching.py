"""Ranking micro-credentials and offerings for an employer's skill need, and saying why each matches.

The scoring is one plain function, `match_score`, over what was found:

    score (0–100) = SKILLS × share of the needed ESCO skills that an outcome is aligned to
                  + TEXT   × share of the need's words found in the learning outcomes
                  + the best upcoming offering's fit: REGION, TIMING, BUDGET, SEATS
                    (each counts in full when it fits, half when it partly fits, nothing when not)

When the need names no skills, their weight goes to the text, and the other way round. A
criterion the need does not ask about (no deadline, no budget) counts as fitting. Only a
micro-credential that covers a needed skill or a word of the need is a match at all; a planned one
(no dates yet) or one without an upcoming offering can still match on content, without the fit.

Fit of an offering (`offering_fit`):
- region: online fits every region; on-site or blended fits when held in the need's region (read
  from the place, else the provider's city: `regions.region_of_offering`); blended elsewhere fits
  partly (some days on site), on-site elsewhere not; an unknown place fits partly.
- timing: starts on or before the "needed by" date.
- budget: the price per seat for organisations (or, when none, for individuals) is within budget.
- seats: the places left (seats minus enrolled, bought and pledged) hold everyone; some left is partly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from osaamo.catalog.models import LearningOutcome, MicroCredentialVersion, Offering, OfferingState, VersionState
from osaamo.demand import regions
from osaamo.demand.models import SkillNeed
from osaamo.demand.selectors import Commitments, commitments_for
from osaamo.demand.text import Term, found_in, need_terms, search_fragments
from osaamo.framework.models import EscoSkill
from osaamo.framework.vocabularies import OfferingMode

# Weights of the score; they add up to 100.
SKILLS = 50
TEXT = 20
REGION = 12
TIMING = 8
BUDGET = 5
SEATS = 5
CONTENT = SKILLS + TEXT

MAX_CANDIDATES = 400
DEFAULT_LIMIT = 20

FITS, PARTLY, NO, NOT_ASKED = "fits", "partly", "no", "not_asked"
FIT_VALUE = {FITS: 1.0, PARTLY: 0.5, NO: 0.0, NOT_ASKED: 1.0}
CRITERIA = (("region", REGION), ("timing", TIMING), ("budget", BUDGET), ("seats", SEATS))


@dataclass(frozen=True)
class Fit:
    criterion: str  # region, timing, budget, seats
    level: str  # fits, partly, no, not_asked
    message: str


@dataclass
class OfferingMatch:
    offering: Offering
    region: str | None
    commitments: Commitments
    fits: list[Fit]

    @property
    def fit_score(self) -> float:
        """0–1: the weighted fit of this offering alone."""
        by_criterion = {fit.criterion: fit.level for fit in self.fits}
        total = sum(weight * FIT_VALUE[by_criterion[name]] for name, weight in CRITERIA)
        return total / (REGION + TIMING + BUDGET + SEATS)

    @property
    def fits_by_criterion(self) -> dict[str, Fit]:
        return {fit.criterion: fit for fit in self.fits}


@dataclass(frozen=True)
class SkillCover:
    skill: EscoSkill
    outcomes: list[LearningOutcome]


@dataclass(frozen=True)
class WordMatch:
    word: str  # as the need wrote it
    found: str  # the word of the outcome it matched
    outcome: LearningOutcome


@dataclass
class Match:
    version: MicroCredentialVersion
    covered: list[SkillCover]
    missing: list[EscoSkill]
    words: list[WordMatch]
    offering: OfferingMatch | None  # the best-fitting upcoming offering
    other_offerings: list[OfferingMatch] = field(default_factory=list)
    planned: Any = None  # the PlannedMicroCredential when it is out to collect interest
    score: int = 0

    @property
    def provider(self) -> Any:
        return self.version.micro_credential.provider


def match_score(*, skills_needed: int, skills_covered: int, words_needed: int, words_found: int,
                fit: Sequence[Fit] | None) -> int:
    """The score (0–100) of a micro-credential for a need; see the module docstring."""
    if skills_needed and words_needed:
        skills_weight, text_weight = SKILLS, TEXT
    elif skills_needed:
        skills_weight, text_weight = CONTENT, 0
    else:
        skills_weight, text_weight = 0, CONTENT
    content = 0.0
    if skills_weight:
        content += skills_weight * skills_covered / skills_needed
    if text_weight:
        content += text_weight * words_found / words_needed
    offering = 0.0
    if fit:
        by_criterion = {item.criterion: item.level for item in fit}
        offering = sum(weight * FIT_VALUE[by_criterion.get(name, NO)] for name, weight in CRITERIA)
    return round(content + offering)


def _price(offering: Offering) -> Decimal:
    return offering.price_organisation if offering.price_organisation is not None else offering.price_individual


def offering_fit(*, need: SkillNeed, offering: Offering, region: str | None, commitments: Commitments) -> list[Fit]:
    """How `offering` fits `need` on region, timing, budget and seats, each with a sentence saying why."""
    fits: list[Fit] = []
    wanted = regions.region_name(need.region)
    held = regions.region_name(region)
    if offering.mode == OfferingMode.ONLINE:
        fits.append(Fit("region", FITS, _("Online: fits every region.")))
    elif region == need.region:
        fits.append(Fit("region", FITS, _("Held in %(region)s.") % {"region": wanted}))
    elif region is None:
        fits.append(Fit("region", PARTLY, _("%(mode)s; the place does not say in which region.")
                        % {"mode": offering.get_mode_display()}))
    elif offering.mode == OfferingMode.BLENDED:
        fits.append(Fit("region", PARTLY, _("Blended: partly online, on-site days in %(region)s, not %(wanted)s.")
                        % {"region": held, "wanted": wanted}))
    else:
        fits.append(Fit("region", NO, _("On-site in %(region)s, not %(wanted)s.") % {"region": held, "wanted": wanted}))

    starts = date_format(offering.start_date, "SHORT_DATE_FORMAT")
    if need.needed_by is None:
        fits.append(Fit("timing", NOT_ASKED, _("Starts %(date)s (no deadline given).") % {"date": starts}))
    elif offering.start_date <= need.needed_by:
        fits.append(Fit("timing", FITS, _("Starts %(date)s, before %(needed_by)s.")
                        % {"date": starts, "needed_by": date_format(need.needed_by, "SHORT_DATE_FORMAT")}))
    else:
        fits.append(Fit("timing", NO, _("Starts %(date)s, after %(needed_by)s.")
                        % {"date": starts, "needed_by": date_format(need.needed_by, "SHORT_DATE_FORMAT")}))

    price = _price(offering)
    kind = _("per seat") if offering.price_organisation is not None else _("per person")
    if need.budget_per_person is None:
        fits.append(Fit("budget", NOT_ASKED, _("%(price)s € %(kind)s (no budget given).")
                        % {"price": price, "kind": kind}))
    elif price <= need.budget_per_person:
        fits.append(Fit("budget", FITS, _("%(price)s € %(kind)s, within the budget of %(budget)s €.")
                        % {"price": price, "kind": kind, "budget": need.budget_per_person}))
    else:
        fits.append(Fit("budget", NO, _("%(price)s € %(kind)s, over the budget of %(budget)s €.")
                        % {"price": price, "kind": kind, "budget": need.budget_per_person}))

    left = commitments.left
    if left is None:
        fits.append(Fit("seats", FITS, _("No limit on places.")))
    elif left >= need.people:
        fits.append(Fit("seats", FITS, _("%(left)s places left for your %(people)s people.")
                        % {"left": left, "people": need.people}))
    elif left > 0:
        fits.append(Fit("seats", PARTLY, _("Only %(left)s places left for your %(people)s people.")
                        % {"left": left, "people": need.people}))
    else:
        fits.append(Fit("seats", NO, _("No places left.")))
    return fits


# --- finding and ranking ----------------------------------------------------------------------------


def _upcoming(now: Any) -> Any:
    """Offerings an employer can still act on: scheduled, enrolment not yet closed."""
    return Offering.objects.filter(state=OfferingState.SCHEDULED, enrolment_closes__gt=now).order_by("start_date", "id")


def _candidates(skill_ids: Iterable[int], terms: Sequence[Term]) -> list[MicroCredentialVersion]:
    """Published versions aligned to a needed skill or containing a need's word (a loose pre-filter)."""
    condition = Q()
    skill_ids = list(skill_ids)
    if skill_ids:
        aligned = LearningOutcome.skills.through.objects.filter(
            learningoutcome__version=OuterRef("pk"), escoskill_id__in=skill_ids
        )
        condition |= Q(Exists(aligned))
    for fragment in search_fragments(terms):
        condition |= Q(search_text__contains=fragment)
    if not condition:
        return []
    return list(
        MicroCredentialVersion.objects.filter(condition, state=VersionState.PUBLISHED,
                                              micro_credential__provider__is_active=True)
        .select_related("micro_credential__provider")
        .order_by("-published_at", "id")[:MAX_CANDIDATES]
    )


def rank_matches(need: SkillNeed, *, now: Any = None, limit: int = DEFAULT_LIMIT) -> list[Match]:
    """The micro-credentials that match `need`, best first, each with its explanation and offerings."""
    from osaamo.demand.models import PlannedMicroCredential

    now = now or timezone.now()
    skills = list(need.skills.all())
    terms = need_terms(need.title, need.description)
    candidates = _candidates([skill.pk for skill in skills], terms)
    if not candidates:
        return []
    loaded = (
        MicroCredentialVersion.objects.filter(pk__in=[v.pk for v in candidates])
        .select_related("micro_credential__provider")
        .prefetch_related(
            Prefetch("outcomes", queryset=LearningOutcome.objects.prefetch_related("skills").order_by("position", "id")),
            Prefetch("offerings", queryset=_upcoming(now), to_attr="upcoming"),
        )
    )
    versions: list[Any] = list(loaded)
    offerings = [offering for version in versions for offering in version.upcoming]
    commitments = commitments_for(offerings)
    plans = {
        plan.micro_credential_id: plan
        for plan in PlannedMicroCredential.objects.filter(
            micro_credential__in=[v.micro_credential_id for v in versions], closed_at__isnull=True)
    }
    matches: list[Match] = []
    for version in versions:
        match = _match(need, version, skills, terms, commitments, plans.get(version.micro_credential_id))
        if match is not None:
            matches.append(match)
    matches.sort(key=lambda m: (-m.score, -len(m.covered), -len(m.words),
                                m.offering.offering.start_date if m.offering else date.max, m.version.pk))
    return matches[:limit]


def _match(need: SkillNeed, version: MicroCredentialVersion, skills: list[EscoSkill], terms: list[Term],
           commitments: dict[int, Commitments], plan: Any) -> Match | None:
    outcomes = list(version.outcomes.all())
    covered: list[SkillCover] = []
    missing: list[EscoSkill] = []
    for skill in skills:
        teaching = [outcome for outcome in outcomes if any(s.pk == skill.pk for s in outcome.skills.all())]
        (covered.append(SkillCover(skill, teaching)) if teaching else missing.append(skill))
    found: list[WordMatch] = []
    for term in terms:
        for outcome in outcomes:
            word = found_in(term, outcome.text)
            if word:
                found.append(WordMatch(term.word, word, outcome))
                break
    if not covered and not found:
        return None
    provider = version.micro_credential.provider
    offering_matches = []
    for offering in version.upcoming:  # type: ignore[attr-defined]
        region = regions.region_of_offering(offering, provider)
        counts = commitments[offering.pk]
        offering_matches.append(OfferingMatch(offering, region, counts,
                                              offering_fit(need=need, offering=offering, region=region,
                                                           commitments=counts)))
    offering_matches.sort(key=lambda m: (-m.fit_score, m.offering.start_date, m.offering.pk))
    best = offering_matches[0] if offering_matches else None
    score = match_score(skills_needed=len(skills), skills_covered=len(covered), words_needed=len(terms),
                        words_found=len(found), fit=best.fits if best else None)
    return Match(version=version, covered=covered, missing=missing, words=found, offering=best,
                 other_offerings=offering_matches[1:], planned=plan if plan and not offering_matches else None,
                 score=score)
