"""Comparing micro-credentials: the side-by-side page and the visitor's selection ("tray").

The page reads its selection from the address only (`?mc=<provider>/<slug>`, up to four), so the
address can be shared. The tray is kept in the session by plain POST forms on the list and detail
pages, so it works without JavaScript; opening a comparison makes the tray follow it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from osaamo.catalog.compare import (
    MAX_COMPARED,
    comparison,
    tray_add,
    tray_clear,
    tray_names,
    tray_remove,
    tray_set,
)
from osaamo.errors import DomainError
from osaamo.translation import translated


def compare_url(names: list[str]) -> str:
    """The shareable address of a comparison of `names`."""
    base = reverse("catalog:compare")
    return f"{base}?{urlencode([('mc', name) for name in names])}" if names else base


def _next(request: HttpRequest) -> str:
    """Where to go back to after changing the tray: the page the button was on, if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("catalog:compare")


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    names = request.GET.getlist("mc")
    if not names:
        tray = tray_names(request.session)
        if tray:
            return redirect(compare_url(tray))  # the address names the selection, so it can be shared
    result = comparison(names)
    if result.names:  # the tray follows what is shown (a link to nothing that exists leaves it alone)
        tray_set(request.session, result.names)
    removal_urls = {name: compare_url([other for other in result.names if other != name]) for name in result.names}
    return render(request, "catalog/compare.html", {
        "comparison": result,
        "columns": [(column, removal_urls[column.name]) for column in result.columns],
        "column_count": len(result.columns) + 1,
        "max_compared": MAX_COMPARED,
        "share_url": request.build_absolute_uri(compare_url(result.names)) if result.names else "",
    })


@require_POST
def compare_add(request: HttpRequest) -> HttpResponseRedirect:
    try:
        version = tray_add(request.session, request.POST.get("mc", ""))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        count = len(tray_names(request.session))
        messages.success(request, _("“%(title)s” is in the comparison (%(count)s of %(max)s).") % {
            "title": translated(version.title), "count": count, "max": MAX_COMPARED})
    return redirect(_next(request))


@require_POST
def compare_remove(request: HttpRequest) -> HttpResponseRedirect:
    tray_remove(request.session, request.POST.get("mc", ""))
    messages.success(request, _("Removed from the comparison."))
    return redirect(_next(request))


@require_POST
def compare_clear(request: HttpRequest) -> HttpResponseRedirect:
    tray_clear(request.session)
    messages.success(request, _("The comparison is empty."))
    return redirect(_next(request))
