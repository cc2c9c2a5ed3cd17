"""Reading the catalog: the public view (published versions) and the provider's own view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from osaamo.accounts.models import Organisation
from osaamo.accounts.selectors import public_providers
from osaamo.catalog.models import (
    LearningOutcome,
    MicroCredential,
    MicroCredentialVersion,
    Offering,
    OfferingState,
    VersionState,
)
from osaamo.catalog.search.engine import SearchResultQuerySet, query_from_filters, search_queryset
from osaamo.errors import NotFound


@dataclass
class CatalogFilters:
    """The public catalog's filters, shared by the HTML list and the API."""

    q: str = ""
    ects_min: Decimal | None = None
    ects_max: Decimal | None = None
    eqf_level: list[int] = field(default_factory=list)
    isced: str = ""  # a broad, narrow or detailed code: matches that field and everything under it
    language: str = ""
    mode: str = ""
    provider: str = ""  # slug; matches the owner and co-providers
    price: str = ""  # "free" or "paid": has an upcoming offering at that price
    starts_after: date | None = None
    start_month: str = ""  # "YYYY-MM": has an upcoming offering starting that month
    sort: str = ""  # relevance (the default), start, price, ects or newest (osaamo.catalog.search.engine.Sort)


def _upcoming_offerings() -> QuerySet[Offering]:
    return Offering.objects.filter(state=OfferingState.SCHEDULED, end_date__gte=timezone.localdate())


def published_versions() -> QuerySet[MicroCredentialVersion]:
    """Every current published version with what a list page shows, in a fixed number of queries."""
    return (
        MicroCredentialVersion.objects.filter(
            state=VersionState.PUBLISHED, micro_credential__provider__is_active=True
        )
        .select_related("micro_credential__provider", "isced_field")
        .prefetch_related(
            Prefetch("co_providers", queryset=Organisation.objects.order_by("slug")),
            Prefetch("offerings", queryset=_upcoming_offerings().order_by("start_date", "id")),
        )
    )


def catalog_search(filters: CatalogFilters) -> SearchResultQuerySet:
    """The published versions that match every filter: best match first, newest first without words.

    Runs on the catalog search index (osaamo.catalog.search): search words in any inflected form of
    Finnish, Swedish or English, with typos or unfinished, also ESCO skill labels. The offering
    filters (mode, price, start) hold for one and the same upcoming offering. The result counts and
    slices like a queryset (Paginator, the API's pagination); its `.facets` are the facet counts.
    """
    return search_queryset(query_from_filters(filters), published_versions())


def matching_offering(version: MicroCredentialVersion, filters: CatalogFilters) -> Offering | None:
    """The soonest upcoming offering of `version` that meets the offering filters (as catalog_search).

    Reads the offerings prefetched by published_versions(), so a list page asks nothing more.
    """
    for offering in version.offerings.all():
        if filters.mode and offering.mode != filters.mode:
            continue
        if filters.price == "free" and offering.price_individual != 0:
            continue
        if filters.price == "paid" and not offering.price_individual > 0:
            continue
        if filters.starts_after and offering.start_date < filters.starts_after:
            continue
        if filters.start_month and offering.start_date.strftime("%Y-%m") != filters.start_month:
            continue
        return offering
    return None


def public_version(*, provider_slug: str, slug: str) -> MicroCredentialVersion:
    """The published version of a micro-credential, with everything the detail page shows."""
    version = (
        published_versions()
        .prefetch_related(Prefetch("outcomes", queryset=LearningOutcome.objects.prefetch_related("skills")))
        .filter(micro_credential__provider__slug=provider_slug, micro_credential__slug=slug)
        .first()
    )
    if version is None:
        raise NotFound()
    return version


def provider_micro_credentials(*, provider: Organisation) -> QuerySet[MicroCredential]:
    """The provider's own micro-credentials, for its staff (drafts included)."""
    return (
        provider.micro_credentials.all()
        .prefetch_related(Prefetch("versions", queryset=MicroCredentialVersion.objects.order_by("-number")))
        .order_by("code")
    )


def staff_micro_credential(*, provider: Organisation, pk: int) -> MicroCredential:
    """One micro-credential of `provider`; "not found" alike when it is another provider's."""
    micro_credential = provider.micro_credentials.filter(pk=pk).first()
    if micro_credential is None:
        raise NotFound()
    return micro_credential


def staff_version(*, provider: Organisation, pk: int) -> MicroCredentialVersion:
    version = (
        MicroCredentialVersion.objects.select_related("micro_credential__provider", "isced_field")
        .prefetch_related("co_providers", Prefetch("outcomes", queryset=LearningOutcome.objects.prefetch_related("skills")))
        .filter(micro_credential__provider=provider, pk=pk)
        .first()
    )
    if version is None:
        raise NotFound()
    return version


def staff_offering(*, provider: Organisation, pk: int) -> Offering:
    offering = (
        Offering.objects.select_related("version__micro_credential__provider")
        .filter(version__micro_credential__provider=provider, pk=pk)
        .first()
    )
    if offering is None:
        raise NotFound()
    return offering


def public_provider(*, slug: str) -> Organisation:
    """An active provider's public profile; "not found" for employers, the operator and inactive ones."""
    provider = public_providers().filter(slug=slug).first()
    if provider is None:
        raise NotFound()
    return provider


def public_providers_with_counts() -> QuerySet[Organisation]:
    """Active providers, each with `published_count`: its published micro-credentials, joint ones included."""
    # The owner is never among a version's co-providers (services._apply), so the two counts add up.
    owned = (
        published_versions().filter(micro_credential__provider=OuterRef("pk"))
        .order_by().values("micro_credential__provider").annotate(count=Count("pk")).values("count")
    )
    through: Any = MicroCredentialVersion.co_providers.through
    co_provided = (
        through.objects.filter(
            organisation=OuterRef("pk"),
            microcredentialversion__state=VersionState.PUBLISHED,
            microcredentialversion__micro_credential__provider__is_active=True,
        )
        .order_by().values("organisation").annotate(count=Count("pk")).values("count")
    )
    return public_providers().annotate(
        published_count=Coalesce(Subquery(owned), 0) + Coalesce(Subquery(co_provided), 0)
    )


# --- offerings for the API (added by the API work) ------------------------------------------------

@dataclass
class OfferingFilters:
    """Filters of the public offering list."""

    micro_credential: int | None = None  # MicroCredential id
    provider: str = ""  # slug; matches the owner and co-providers
    mode: str = ""
    language: str = ""
    price: str = ""  # "free" or "paid" for individuals
    starts_after: date | None = None


def _offerings_with_context() -> QuerySet[Offering]:
    return Offering.objects.select_related("version__micro_credential__provider")


def public_offerings(filters: OfferingFilters) -> QuerySet[Offering]:
    """Scheduled offerings of current published versions that have not ended, soonest first."""
    offerings = _upcoming_offerings().filter(
        version__state=VersionState.PUBLISHED, version__micro_credential__provider__is_active=True
    ).select_related("version__micro_credential__provider")
    if filters.micro_credential is not None:
        offerings = offerings.filter(version__micro_credential_id=filters.micro_credential)
    if filters.provider:
        co_provided = MicroCredentialVersion.co_providers.through.objects.filter(
            microcredentialversion_id=OuterRef("version_id"), organisation__slug=filters.provider
        )
        offerings = offerings.filter(
            Q(version__micro_credential__provider__slug=filters.provider) | Exists(co_provided)
        )
    if filters.mode:
        offerings = offerings.filter(mode=filters.mode)
    if filters.language:
        offerings = offerings.filter(language=filters.language)
    if filters.price == "free":
        offerings = offerings.filter(price_individual=0)
    elif filters.price == "paid":
        offerings = offerings.filter(price_individual__gt=0)
    if filters.starts_after:
        offerings = offerings.filter(start_date__gte=filters.starts_after)
    return offerings.order_by("start_date", "id")


def public_offering(*, pk: int) -> Offering:
    """An offering of a current published version, in any state (a cancelled run says so)."""
    offering = _offerings_with_context().filter(
        pk=pk, version__state=VersionState.PUBLISHED, version__micro_credential__provider__is_active=True
    ).first()
    if offering is None:
        raise NotFound()
    return offering


def staff_offerings(*, provider: Organisation) -> QuerySet[Offering]:
    """Every offering of `provider`, cancelled and past ones included, the latest start first."""
    return _offerings_with_context().filter(version__micro_credential__provider=provider).order_by(
        "-start_date", "-id"
    )
