"""The public framework page: the validator's rules with their sources, EQF levels, vocabularies."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from osaamo.framework import selectors
from osaamo.framework.eqf import eqf_levels
from osaamo.framework.rules import SEVERITY_LABELS, Severity, rules_by_area
from osaamo.framework.vocabularies import (
    ECTS_MAX,
    ECTS_MIN,
    HOURS_PER_ECTS_FINLAND,
    HOURS_PER_ECTS_MAX,
    HOURS_PER_ECTS_MIN,
)


def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "framework/overview.html", {
        "rule_groups": rules_by_area(),
        "severity_error": SEVERITY_LABELS[Severity.ERROR],
        "severity_warning": SEVERITY_LABELS[Severity.WARNING],
        "eqf_levels": eqf_levels(),
        "vocabularies": selectors.vocabulary_list(),
        "isced_tree": selectors.isced_tree(),
        "esco_count": selectors.esco_skill_count(),
        "ects_min": ECTS_MIN,
        "ects_max": ECTS_MAX,
        "hours_min": HOURS_PER_ECTS_MIN,
        "hours_max": HOURS_PER_ECTS_MAX,
        "hours_finland": HOURS_PER_ECTS_FINLAND,
    })
