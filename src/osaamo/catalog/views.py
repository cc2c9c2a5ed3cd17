"""Public catalog pages (placeholder list; the catalog work replaces these)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from osaamo.accounts.selectors import public_providers
from osaamo.catalog.selectors import CatalogFilters, catalog_search


def catalog_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/list.html", {"versions": catalog_search(CatalogFilters())[:20]})


def provider_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/providers.html", {"providers": public_providers()})
