"""The design tool for provider staff (placeholder list; the design work replaces these)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from osaamo.accounts.selectors import DESIGN_ROLES, provider_for_staff
from osaamo.catalog.selectors import provider_micro_credentials


@login_required
def design_list(request: HttpRequest, provider: str) -> HttpResponse:
    organisation = provider_for_staff(user=request.user, slug=provider, roles=DESIGN_ROLES)
    return render(request, "catalog/design/list.html", {
        "provider": organisation, "micro_credentials": provider_micro_credentials(provider=organisation)})
