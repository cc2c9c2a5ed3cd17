"""Template tags for showing demand pooling in other apps' pages (the catalog's offering display)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from osaamo.demand import regions, selectors

register = template.Library()

COVERAGE_LABELS = {
    "covered": _("Covered"),
    "partly": _("Partly covered"),
    "not_covered": _("Not covered"),
}


@register.simple_tag
def offering_commitments(offering: Any) -> selectors.Commitments:
    """Who is committed to `offering` (three queries)."""
    return selectors.offering_commitments(offering)


@register.simple_tag
def open_plan(version: Any) -> Any:
    """The open plan (interest collection) of the version's micro-credential, or None."""
    return selectors.open_plan_for(version.micro_credential_id)


@register.simple_tag
def plan_interest(plan: Any, user: Any) -> bool:
    return selectors.has_interest(plan=plan, learner=user)


@register.filter
def region_name(code: str | None) -> str:
    return regions.region_name(code)


@register.filter
def coverage_label(coverage: str) -> str:
    return str(COVERAGE_LABELS.get(coverage, coverage))
