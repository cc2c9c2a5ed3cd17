"""Reading the framework's reference data: ESCO skills, ISCED-F fields, vocabularies.

Reference data is public and the same for every tenant, so these take no actor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from osaamo.framework import vocabularies
from osaamo.framework.models import EscoSkill, IscedField
from osaamo.translation import translated

QUERY_MAX_LENGTH = 100
QUERY_MIN_LENGTH = 2
LIMIT_MAX = 100

def _normalise_query(query: str) -> str:
    return re.sub(r"\s+", " ", (query or "").strip())[:QUERY_MAX_LENGTH].lower()


def esco_search(query: str, *, limit: int = 20) -> list[EscoSkill]:
    """ESCO skills for the skill picker, best first.

    Ranking: preferred label equal to the query; preferred label starting with it; preferred label
    containing it; an alternative label equal to or starting with it; an alternative label
    containing it. Within a rank, shorter (more specific) labels come first. Case-insensitive, on
    the lower-case copies of the labels. One query with a LIMIT, whatever the number of matches.
    """
    text = _normalise_query(query)
    limit = max(0, min(int(limit), LIMIT_MAX))
    if len(text) < QUERY_MIN_LENGTH or limit == 0:
        return []
    rank = Case(
        When(search_label=text, then=Value(0)),
        When(search_label__startswith=text, then=Value(1)),
        When(search_label__contains=text, then=Value(2)),
        When(search_alt_labels__contains="\n" + text, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    matches = (
        EscoSkill.objects.filter(Q(search_label__contains=text) | Q(search_alt_labels__contains=text))
        .annotate(rank=rank, label_length=Length("search_label"))
        .order_by("rank", "label_length", "search_label", "uri")
    )
    return list(matches[:limit])


def esco_skill(uri: str) -> EscoSkill | None:
    return EscoSkill.objects.filter(uri=uri).first()


def esco_skills_by_uri(uris: Iterable[str]) -> list[EscoSkill]:
    """The skills with these URIs, in the order given (unknown URIs are left out)."""
    wanted = list(dict.fromkeys(uris))
    by_uri = {skill.uri: skill for skill in EscoSkill.objects.filter(uri__in=wanted)}
    return [by_uri[uri] for uri in wanted if uri in by_uri]


def esco_skill_count() -> int:
    return EscoSkill.objects.count()


def isced_field(code: str) -> IscedField | None:
    return IscedField.objects.filter(code=(code or "").strip()).first()


def isced_fields() -> list[IscedField]:
    """All 220 fields in code order (one query)."""
    return list(IscedField.objects.order_by("code"))


def isced_choices(*, include_broad: bool = False) -> list[tuple[str, list[tuple[str, str]]]]:
    """ISCED-F fields for a <select>, grouped by broad field: [(broad label, [(code, "code label")])].

    Narrow and detailed fields are the options (a broad field is too coarse to find a
    micro-credential by; the validator warns about it); labels are in the active language.
    """
    fields = isced_fields()
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for item in fields:
        broad = item.code[:2]
        if item.level == IscedField.Level.BROAD:
            groups[broad] = (f"{item.code} {translated(item.label)}", [])
            if include_broad:
                groups[broad][1].append((item.code, f"{item.code} {translated(item.label)}"))
    for item in fields:
        if item.level != IscedField.Level.BROAD and item.code[:2] in groups:
            indent = "\u2003" if item.level == IscedField.Level.DETAILED else ""
            groups[item.code[:2]][1].append((item.code, f"{indent}{item.code} {translated(item.label)}"))
    return [groups[code] for code in sorted(groups)]


@dataclass(frozen=True)
class IscedNode:
    field: IscedField
    children: list[IscedNode]

    @property
    def code(self) -> str:
        return self.field.code

    @property
    def label(self) -> str:
        return translated(self.field.label)


def isced_tree() -> list[IscedNode]:
    """Broad fields with their narrow fields with their detailed fields (one query)."""
    fields = isced_fields()
    nodes = {item.code: IscedNode(item, []) for item in fields}
    roots: list[IscedNode] = []
    for item in fields:
        parent = nodes.get(item.parent_id or "")
        (parent.children if parent else roots).append(nodes[item.code])
    return roots


@dataclass(frozen=True)
class Vocabulary:
    """A controlled vocabulary for display: its field, where it comes from, and its codes."""

    field: str
    title: Any
    source: str
    choices: list[tuple[str, Any]]


def vocabulary_list() -> list[Vocabulary]:
    """The controlled vocabularies of a design, in the order of EU Annex I."""
    annex = "EU Council Recommendation 2022/C 243/02, Annex I"
    return [
        Vocabulary("qf_ehea_cycle", _("QF-EHEA cycle"), f"{annex} M8; QF-EHEA",
                   list(vocabularies.Cycle.choices)),
        Vocabulary("assessment_type", _("Type of assessment"), f"{annex} M9",
                   list(vocabularies.AssessmentType.choices)),
        Vocabulary("participation_form", _("Form of participation"), f"{annex} M10",
                   list(vocabularies.ParticipationForm.choices)),
        Vocabulary("quality_assurance", _("Type of quality assurance"), f"{annex} M11",
                   list(vocabularies.QualityAssurance.choices)),
        Vocabulary("identity_verification", _("Supervision and identity verification"),
                   f"{annex}, optional elements", list(vocabularies.IdentityVerification.choices)),
        Vocabulary("stackability", _("Integration and stackability"), f"{annex}, optional elements",
                   list(vocabularies.Stackability.choices)),
        Vocabulary("grading_scale", _("Grading scale"), "Finnish higher education: 0–5 or pass/fail",
                   list(vocabularies.GradingScale.choices)),
        Vocabulary("languages", _("Languages of instruction"), "ISO 639-1",
                   list(vocabularies.Language.choices)),
    ]
