"""Reading people and organisations. Tenant reads answer "not found" for "not yours" too."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from osaamo.accounts.models import Membership, Organisation, OrganisationKind, Role

DESIGN_ROLES = frozenset({Role.PROVIDER_ADMIN, Role.DESIGNER})
PUBLISH_ROLES = frozenset({Role.PROVIDER_ADMIN})
REGISTRAR_ROLES = frozenset({Role.PROVIDER_ADMIN, Role.REGISTRAR})
ASSESSOR_ROLES = frozenset({Role.PROVIDER_ADMIN, Role.REGISTRAR, Role.TEACHER})  # who records assessment results
PROVIDER_STAFF_ROLES = frozenset({Role.PROVIDER_ADMIN, Role.DESIGNER, Role.REGISTRAR})
EMPLOYER_ROLES = frozenset({Role.EMPLOYER_ADMIN, Role.EMPLOYER_MEMBER})  # post skill needs and see matches
EMPLOYER_ADMIN_ROLES = frozenset({Role.EMPLOYER_ADMIN})  # commit money: buy and pledge seats


def user_roles(user: Any, organisation: Organisation) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(
        Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True)
    )


def has_role(user: Any, organisation: Organisation, roles: Iterable[str]) -> bool:
    return bool(user_roles(user, organisation) & frozenset(roles))


def organisation_contact(organisation: Organisation, *, preferred: Any, roles: Iterable[str]) -> Any:
    """Who hears about what an organisation did: `preferred` (who did it) while they are active and still
    hold one of `roles` there; otherwise its first active member in one of them (they may have left);
    otherwise `preferred` all the same."""
    roles = frozenset(roles)
    if preferred is not None and preferred.is_active and has_role(preferred, organisation, roles):
        return preferred
    membership = (Membership.objects.filter(organisation=organisation, role__in=roles, user__is_active=True)
                  .select_related("user").order_by("id").first())
    return membership.user if membership else preferred


def organisations_of(user: Any, *, kind: str | None = None, roles: Iterable[str] | None = None
                     ) -> QuerySet[Organisation]:
    """The organisations where `user` holds any of `roles` (any role when None)."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    organisations = Organisation.objects.filter(pk__in=memberships.values("organisation_id"), is_active=True)
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations.order_by("slug")


def provider_for_staff(*, user: Any, slug: str, roles: Iterable[str] = PROVIDER_STAFF_ROLES) -> Organisation:
    """The provider `slug` if `user` is its staff with one of `roles`; otherwise 404, alike for both."""
    provider = organisations_of(user, kind=OrganisationKind.PROVIDER, roles=roles).filter(slug=slug).first()
    if provider is None:
        raise Http404("No such provider.")
    return provider


def public_providers() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.PROVIDER, is_active=True).order_by("slug")
