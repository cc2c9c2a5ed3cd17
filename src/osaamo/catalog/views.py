"""Public catalog pages: the searchable list, a micro-credential's page, the universities.

Thin views: the filter form checks input, selectors read (published versions only), templates show.
Every page works without JavaScript; with htmx the list replaces its form and results in place.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from osaamo.catalog.forms import CatalogFilterForm
from osaamo.catalog.search.facets import FacetName, ects_range_links
from osaamo.catalog.selectors import (
    CatalogFilters,
    catalog_search,
    matching_offering,
    public_provider,
    public_providers_with_counts,
    public_version,
)
from osaamo.errors import NotFound

PROVIDER_PAGE_SIZE = 20


def _with_shown_offerings(page: Page, filters: CatalogFilters) -> Page:
    """Each result shows its next offering that meets the filters ("free" shows a free one)."""
    page.object_list = list(page.object_list)
    for version in page.object_list:
        version.shown_offering = matching_offering(version, filters)
    return page


def catalog_list(request: HttpRequest) -> HttpResponse:
    form = CatalogFilterForm(request.GET or None)
    filters = form.filters()
    results = catalog_search(filters)
    paginator = Paginator(results, form.chosen_page_size())
    page = _with_shown_offerings(paginator.get_page(request.GET.get("page")), filters)
    # The facet counts of the same search: beside each choice, and the ECTS ranges as links.
    facets = results.facets
    form.show_counts(facets)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "has_invalid_filters": form.is_bound and bool(form.errors),
        "ects_ranges": ects_range_links(request.GET, facets.get(FacetName.ECTS, {})),
        "corrections": results.parsed.corrections,
    }
    # htmx asks for the same page and picks the form and the results out of it (hx-select), so
    # one response serves browsers with and without JavaScript, and a pushed address reloads alike.
    return render(request, "catalog/list.html", context)


def catalog_detail(request: HttpRequest, provider_slug: str, slug: str) -> HttpResponse:
    try:
        version = public_version(provider_slug=provider_slug, slug=slug)
    except NotFound as error:
        raise Http404(str(error.message)) from error
    offerings = list(version.offerings.all())  # upcoming and scheduled, soonest first (prefetched)
    return render(request, "catalog/detail.html", {"version": version, "offerings": offerings})


def provider_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/providers.html", {"providers": public_providers_with_counts()})


def provider_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        provider = public_provider(slug=slug)
    except NotFound as error:
        raise Http404(str(error.message)) from error
    filters = CatalogFilters(provider=provider.slug)
    paginator = Paginator(catalog_search(filters), PROVIDER_PAGE_SIZE)
    page = _with_shown_offerings(paginator.get_page(request.GET.get("page")), filters)
    return render(request, "catalog/provider.html", {"provider": provider, "page": page})
