"""Comparing micro-credentials side by side: which ones (from the address or the visitor's tray), read
in a fixed number of queries, and what they have in common.

A micro-credential is named in the address by its public path, `<provider>/<slug>` — the same two
parts as its catalog page — so `/fi/compare/?mc=helsinki/hy-pok-001&mc=aalto/a-5` can be shared.
Only published versions are compared; a name that is malformed, unknown, retired or not public is
reported back and the others are still shown.

The tray is the visitor's selection while browsing (list and detail pages have an "add to
comparison" button that works without JavaScript): a short list of the same names in the session.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from osaamo.catalog.models import LearningOutcome, MicroCredentialVersion, Offering
from osaamo.catalog.selectors import published_versions
from osaamo.errors import Conflict, InvalidInput, NotFound
from osaamo.framework.models import EscoSkill

MAX_COMPARED = 4
MAX_NAMES_READ = 20  # more names than this in one address are not even looked at
SESSION_KEY = "osaamo.compare"
_NAME = re.compile(r"^([-\w]{1,60})/([-\w]{1,60})$", re.ASCII)  # two slugs, as in the catalog page's address


def compare_name(version: MicroCredentialVersion) -> str:
    """The name of a micro-credential in a comparison address: `<provider slug>/<slug>`."""
    micro_credential = version.micro_credential
    return f"{micro_credential.provider.slug}/{micro_credential.slug}"


def parse_name(value: str) -> tuple[str, str] | None:
    """(provider slug, slug) of a name as given in an address, or None when it cannot be one."""
    match = _NAME.match((value or "").strip())
    return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class FeedbackSummary:
    """What learners said about a micro-credential: how many answers and their average rating."""

    count: int
    average: Decimal | None = None  # on the feedback app's own scale


# There is no feedback app yet. When one exists it registers a function here from its AppConfig.ready()
# (catalog must not import it: the arrow between apps runs from feedback to catalog). Until then the
# comparison says plainly that there is no feedback.
FeedbackSource = Callable[[list[int]], Mapping[int, FeedbackSummary]]
_feedback_source: FeedbackSource | None = None


def register_feedback_source(source: FeedbackSource | None) -> None:
    """`source(micro_credential_ids) -> {id: FeedbackSummary}`, one query for all of them."""
    global _feedback_source
    _feedback_source = source


@dataclass
class Column:
    """One compared micro-credential with what its column shows beyond the version's own fields."""

    version: MicroCredentialVersion
    name: str
    skills: list[tuple[EscoSkill, bool]]  # each ESCO skill once, with whether another compared one has it
    offerings: list[Offering]  # upcoming, soonest first
    feedback: FeedbackSummary | None = None

    @property
    def next_offering(self) -> Offering | None:
        return self.offerings[0] if self.offerings else None

    @property
    def modes(self) -> list[str]:
        return list(dict.fromkeys(str(offering.get_mode_display()) for offering in self.offerings))

    @property
    def offering_languages(self) -> list[str]:
        return list(dict.fromkeys(offering.language for offering in self.offerings))

    @property
    def prices(self) -> tuple[Decimal, Decimal] | None:
        """The lowest and highest price for individuals among the upcoming offerings."""
        values = [offering.price_individual for offering in self.offerings]
        return (min(values), max(values)) if values else None

    @property
    def organisation_prices(self) -> tuple[Decimal, Decimal] | None:
        values = [o.price_organisation for o in self.offerings if o.price_organisation is not None]
        return (min(values), max(values)) if values else None

    @property
    def shared_skill_count(self) -> int:
        return sum(1 for _skill, shared in self.skills if shared)


@dataclass
class Comparison:
    """The published versions to show, in the order asked, and what could not be shown."""

    versions: list[MicroCredentialVersion] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # the compared ones, as in the address
    unknown: list[str] = field(default_factory=list)  # names not found among the published ones
    malformed: list[str] = field(default_factory=list)  # values that are not names at all
    left_out: list[str] = field(default_factory=list)  # beyond the fourth
    shared_skill_uris: frozenset[str] = frozenset()  # ESCO skills of at least two compared ones
    feedback: dict[int, FeedbackSummary] = field(default_factory=dict)  # by micro-credential id
    columns: list[Column] = field(default_factory=list)

    @property
    def has_problems(self) -> bool:
        return bool(self.unknown or self.malformed or self.left_out)


def _with_everything(versions: Any) -> Any:
    """What the comparison table shows, prefetched: a fixed number of queries for any number of columns."""
    return versions.prefetch_related(
        Prefetch("outcomes", queryset=LearningOutcome.objects.prefetch_related("skills").order_by("position", "id"))
    )


def _published_by_names(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], MicroCredentialVersion]:
    if not pairs:
        return {}
    condition = Q()
    for provider_slug, slug in pairs:
        condition |= Q(micro_credential__provider__slug=provider_slug, micro_credential__slug=slug)
    found = _with_everything(published_versions().filter(condition))
    return {(v.micro_credential.provider.slug, v.micro_credential.slug): v for v in found}


def _distinct_names(values: Iterable[str]) -> tuple[list[tuple[str, tuple[str, str]]], list[str]]:
    """Valid names (each once, in order) and the values that are not names."""
    seen: set[tuple[str, str]] = set()
    names: list[tuple[str, tuple[str, str]]] = []
    malformed: list[str] = []
    for value in list(values)[:MAX_NAMES_READ]:
        text = str(value).strip()
        if not text:
            continue
        pair = parse_name(text)
        if pair is None:
            malformed.append(text[:120])
        elif pair not in seen:
            seen.add(pair)
            names.append((f"{pair[0]}/{pair[1]}", pair))
    return names, malformed


def skill_uris(version: MicroCredentialVersion) -> list[str]:
    """The ESCO skills of a version's learning outcomes, each once (reads the prefetched outcomes)."""
    return list(dict.fromkeys(skill.uri for outcome in version.outcomes.all() for skill in outcome.skills.all()))


def comparison(values: Iterable[str]) -> Comparison:
    """The micro-credentials named in `values` (the `mc` parameters of the address), side by side.

    At most four; published ones beyond the fourth are reported as left out. Reads in a fixed number
    of queries whatever the number of names (one query for the versions, one each for the
    prefetched co-providers, offerings, outcomes and their skills); at most MAX_NAMES_READ names are
    looked at.
    """
    names, malformed = _distinct_names(values)
    found = _published_by_names([pair for _name, pair in names])
    result = Comparison(malformed=malformed)
    for name, pair in names:
        version = found.get(pair)
        if version is None:
            result.unknown.append(name)
        elif len(result.versions) >= MAX_COMPARED:
            result.left_out.append(name)
        else:
            result.versions.append(version)
            result.names.append(name)
    counts = Counter(uri for version in result.versions for uri in skill_uris(version))
    result.shared_skill_uris = frozenset(uri for uri, count in counts.items() if count > 1)
    if _feedback_source is not None and result.versions:
        result.feedback = dict(_feedback_source([version.micro_credential_id for version in result.versions]))
    for version, name in zip(result.versions, result.names, strict=True):
        skills = list({skill.uri: skill for outcome in version.outcomes.all() for skill in outcome.skills.all()}
                      .values())
        marked = [(skill, skill.uri in result.shared_skill_uris) for skill in skills]
        marked.sort(key=lambda item: not item[1])  # shared skills first, otherwise in the outcomes' order
        result.columns.append(Column(
            version=version, name=name, skills=marked, offerings=list(version.offerings.all()),
            feedback=result.feedback.get(version.micro_credential_id),
        ))
    return result


def published_by_name(name: str) -> MicroCredentialVersion:
    """The published version a name points to; NotFound when there is none."""
    pair = parse_name(name)
    version = _published_by_names([pair]).get(pair) if pair else None
    if version is None:
        raise NotFound(_("This micro-credential is not in the catalog."))
    return version


# --- the tray: the visitor's selection while browsing, kept in the session -------------------------------------

def tray_names(session: Any) -> list[str]:
    """The names in the visitor's tray (never more than four, each a valid name)."""
    stored = session.get(SESSION_KEY) or []
    if not isinstance(stored, list):
        return []
    names, _malformed = _distinct_names(str(value) for value in stored)
    return [name for name, _pair in names[:MAX_COMPARED]]


def _store(session: Any, names: list[str]) -> None:
    session[SESSION_KEY] = names


def tray_add(session: Any, name: str) -> MicroCredentialVersion:
    """Add a published micro-credential to the tray and answer it. Refuses a fifth, and a name that is
    not in the catalog. Adding one that is already there changes nothing."""
    pair = parse_name(name)
    if pair is None:
        raise InvalidInput(_("This is not the address of a micro-credential."))
    version = published_by_name(name)
    name = compare_name(version)
    names = tray_names(session)
    if name in names:
        return version
    if len(names) >= MAX_COMPARED:
        raise Conflict(
            _("You can compare at most %(max)s micro-credentials at a time. Remove one from the comparison "
              "before you add another.") % {"max": MAX_COMPARED},
            code="compare_full",
        )
    _store(session, [*names, name])
    return version


def tray_remove(session: Any, name: str) -> list[str]:
    pair = parse_name(name)
    names = [existing for existing in tray_names(session) if pair is None or existing != f"{pair[0]}/{pair[1]}"]
    _store(session, names)
    return names


def tray_set(session: Any, names: list[str]) -> None:
    """Make the tray follow a comparison that was opened from an address (e.g. a shared link)."""
    if tray_names(session) != names[:MAX_COMPARED]:
        _store(session, names[:MAX_COMPARED])


def tray_clear(session: Any) -> None:
    session.pop(SESSION_KEY, None)


def tray_versions(session: Any) -> list[MicroCredentialVersion]:
    """The tray's micro-credentials that are still published, in the tray's order (one query)."""
    names, _malformed = _distinct_names(tray_names(session))
    if not names:
        return []
    condition = Q()
    for _name, (provider_slug, slug) in names:
        condition |= Q(micro_credential__provider__slug=provider_slug, micro_credential__slug=slug)
    found = {
        compare_name(version): version
        for version in published_versions().filter(condition).prefetch_related(None)
        .select_related("micro_credential__provider")
    }
    return [found[name] for name, _pair in names if name in found]
