"""The demand board for providers: employers' current needs grouped by skill and by region, and how
well the published catalog covers each group. The gaps are what to design next.

Coverage of one need for one of its skills:
- served: a published micro-credential with an outcome aligned to the skill has an upcoming offering
  (scheduled, enrolment not closed) that fits the need's region (online, or held there) and
  starts by the need's date (when it gives one);
- taught: a published micro-credential teaches the skill, but no upcoming offering of it fits;
- not taught: no published micro-credential has an outcome aligned to the skill.

A skill group is *covered* when every need in it is served, *partly covered* when the skill is at
least taught, and *not covered* otherwise. A need is covered when all its skills are served
(partly when some are served or taught); a need written in words only is judged by its best
match (`matching.rank_matches`). A region group is covered when all its needs are, partly when
some are at least partly, and not covered otherwise.

Providers see needs without the employer's name unless the employer chose to show it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from osaamo.catalog.models import LearningOutcome, Offering, OfferingState, VersionState
from osaamo.demand import regions
from osaamo.demand.models import SkillNeed
from osaamo.demand.selectors import current_needs
from osaamo.framework.models import EscoSkill
from osaamo.framework.vocabularies import OfferingMode

COVERED, PARTLY, NOT_COVERED = "covered", "partly", "not_covered"
SERVED, TAUGHT, NOT_TAUGHT = "served", "taught", "not_taught"
_GAP_FIRST = {NOT_COVERED: 0, PARTLY: 1, COVERED: 2}


@dataclass
class NeedEntry:
    need: SkillNeed
    coverage: str

    @property
    def employer_name(self) -> str | None:
        """The employer's name only when it chose to show it."""
        return self.need.organisation.display_name if self.need.show_name else None


@dataclass
class Group:
    key: str
    label: str
    coverage: str
    explanation: str
    entries: list[NeedEntry]
    skill: EscoSkill | None = None
    region: str | None = None
    teaching: list[Any] = field(default_factory=list)  # published versions teaching the skill

    @property
    def people(self) -> int:
        return sum(entry.need.people for entry in self.entries)

    @property
    def needs(self) -> int:
        return len(self.entries)

    @property
    def named_employers(self) -> list[str]:
        return sorted({name for entry in self.entries if (name := entry.employer_name)})

    @property
    def anonymous_needs(self) -> int:
        return sum(1 for entry in self.entries if entry.employer_name is None)


@dataclass
class Board:
    by_skill: list[Group]
    by_region: list[Group]
    entries: list[NeedEntry]

    @property
    def people(self) -> int:
        return sum(entry.need.people for entry in self.entries)

    @property
    def gaps(self) -> list[Group]:
        return [group for group in self.by_skill if group.coverage != COVERED]


def _fits(offering: Offering, region: str | None, need: SkillNeed) -> bool:
    if offering.mode != OfferingMode.ONLINE and region != need.region:
        return False
    return need.needed_by is None or offering.start_date <= need.needed_by


def demand_board(*, now: Any = None) -> Board:
    """Every current need, grouped and judged against the published catalog (a fixed number of queries
    plus one ranking per need that names no skill)."""
    now = now or timezone.now()
    needs = list(current_needs())
    skills: dict[int, EscoSkill] = {}
    for need in needs:
        for skill in need.skills.all():
            skills[skill.pk] = skill

    # Which published versions teach each needed skill, and their upcoming offerings with regions.
    teaching: dict[int, set[int]] = defaultdict(set)
    aligned = LearningOutcome.skills.through.objects.filter(
        escoskill_id__in=list(skills), learningoutcome__version__state=VersionState.PUBLISHED,
        learningoutcome__version__micro_credential__provider__is_active=True,
    ).values_list("escoskill_id", "learningoutcome__version_id")
    for skill_id, version_id in aligned:
        teaching[skill_id].add(version_id)
    version_ids = {v for versions in teaching.values() for v in versions}
    offerings: dict[int, list[tuple[Offering, str | None]]] = defaultdict(list)
    for offering in Offering.objects.filter(version_id__in=version_ids, state=OfferingState.SCHEDULED,
                                            enrolment_closes__gt=now).select_related(
            "version__micro_credential__provider"):
        offerings[offering.version_id].append((offering, regions.region_of_offering(offering)))
    versions: dict[int, Any] = {}
    for held in offerings.values():
        for offering, _region in held:
            versions[offering.version_id] = offering.version

    def status(need: SkillNeed, skill_id: int) -> str:
        taught = teaching.get(skill_id, set())
        if any(_fits(offering, region, need) for version in taught for offering, region in offerings[version]):
            return SERVED
        return TAUGHT if taught else NOT_TAUGHT

    entries: list[NeedEntry] = []
    by_skill_entries: dict[int, list[tuple[NeedEntry, str]]] = defaultdict(list)
    for need in needs:
        need_skills = list(need.skills.all())
        if need_skills:
            statuses = [status(need, skill.pk) for skill in need_skills]
            if all(s == SERVED for s in statuses):
                coverage = COVERED
            elif any(s != NOT_TAUGHT for s in statuses):
                coverage = PARTLY
            else:
                coverage = NOT_COVERED
        else:
            coverage = _words_only_coverage(need, now)
        entry = NeedEntry(need, coverage)
        entries.append(entry)
        for skill in need_skills:
            by_skill_entries[skill.pk].append((entry, status(need, skill.pk)))

    by_skill = []
    for skill_id, pairs in by_skill_entries.items():
        statuses = [s for _entry, s in pairs]
        taught = teaching.get(skill_id, set())
        if all(s == SERVED for s in statuses):
            coverage = COVERED
            explanation = ngettext(
                "%(n)s published micro-credential teaches it, with an upcoming offering that fits every need.",
                "%(n)s published micro-credentials teach it, with upcoming offerings that fit every need.",
                len(taught)) % {"n": len(taught)}
        elif taught:
            coverage = PARTLY
            served = sum(1 for s in statuses if s == SERVED)
            explanation = ngettext(
                "%(n)s published micro-credential teaches it, but upcoming offerings fit only %(served)s of %(total)s needs (place or time).",
                "%(n)s published micro-credentials teach it, but upcoming offerings fit only %(served)s of %(total)s needs (place or time).",
                len(taught)) % {"n": len(taught), "served": served, "total": len(statuses)}
        else:
            coverage = NOT_COVERED
            explanation = _("No published micro-credential has a learning outcome aligned to this skill.")
        skill = skills[skill_id]
        by_skill.append(Group(
            key=skill.uri, label=str(skill), coverage=coverage, explanation=explanation,
            entries=[entry for entry, _s in pairs], skill=skill,
            teaching=sorted((versions[v] for v in taught if v in versions), key=lambda v: str(v))[:5],
        ))

    by_region_entries: dict[str, list[NeedEntry]] = defaultdict(list)
    for entry in entries:
        by_region_entries[entry.need.region].append(entry)
    by_region = []
    for code, in_region in by_region_entries.items():
        coverages = [entry.coverage for entry in in_region]
        covered = sum(1 for c in coverages if c == COVERED)
        if covered == len(coverages):
            coverage = COVERED
        elif any(c != NOT_COVERED for c in coverages):
            coverage = PARTLY
        else:
            coverage = NOT_COVERED
        explanation = ngettext("%(covered)s of %(total)s need is covered in full.",
                               "%(covered)s of %(total)s needs are covered in full.", len(coverages)) % {
            "covered": covered, "total": len(coverages)}
        by_region.append(Group(key=code, label=regions.region_name(code), coverage=coverage,
                               explanation=explanation, entries=in_region, region=code))

    def order(group: Group) -> tuple[int, int, str]:
        return (_GAP_FIRST[group.coverage], -group.people, group.label)

    return Board(by_skill=sorted(by_skill, key=order), by_region=sorted(by_region, key=order), entries=entries)


def _words_only_coverage(need: SkillNeed, now: Any) -> str:
    from osaamo.demand.matching import FITS, NOT_ASKED, rank_matches

    matches = rank_matches(need, now=now, limit=5)
    if not matches:
        return NOT_COVERED
    for match in matches:
        if match.offering is None:
            continue
        fits = match.offering.fits_by_criterion
        if all(fits[name].level in (FITS, NOT_ASKED) for name in ("region", "timing")):
            return COVERED
    return PARTLY
