"""The design tool for provider staff: micro-credentials, their versions and workflow, offerings.

Server-rendered pages that work without JavaScript; htmx adds the live findings panel, learning-outcome
rows in place and the ESCO skill search. Every view answers 404 alike for "does not exist" and "not
yours" (the provider is looked up among the user's own first); the services do every write.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from osaamo.accounts.models import Organisation
from osaamo.accounts.selectors import DESIGN_ROLES, PUBLISH_ROLES, has_role, provider_for_staff
from osaamo.catalog import services
from osaamo.catalog.design_forms import (
    OUTCOMES_PREFIX,
    CatalogSearchForm,
    CloneForm,
    DesignEditor,
    OfferingForm,
    ReasonForm,
    counts_text,
    empty_outcome_form,
    finding_counts,
    offering_initial,
    outcome_texts,
    row_prefix,
    skill_by_uri,
    skill_search,
    skill_suggestions,
)
from osaamo.catalog.models import MicroCredential, MicroCredentialVersion, OfferingState, VersionState
from osaamo.catalog.selectors import (
    CatalogFilters,
    catalog_search,
    provider_micro_credentials,
    published_versions,
    staff_micro_credential,
    staff_offering,
    staff_version,
)
from osaamo.errors import DomainError, InvalidInput, NotFound
from osaamo.errors import PermissionDenied as DomainPermissionDenied
from osaamo.framework.rules import Finding

T = Any


def _provider(request: HttpRequest, slug: str) -> Organisation:
    return provider_for_staff(user=request.user, slug=slug, roles=DESIGN_ROLES)


def _found(selector: Callable[..., T], **kwargs: Any) -> T:
    try:
        return selector(**kwargs)
    except NotFound:
        raise Http404 from None


def _refused(request: HttpRequest, error: DomainError) -> None:
    """A service refused: the user's own permission problem is 403, anything else a message."""
    if isinstance(error, DomainPermissionDenied):
        raise HttpForbidden(str(error.message))
    messages.error(request, str(error.message))


def _is_admin(request: HttpRequest, provider: Organisation) -> bool:
    return has_role(request.user, provider, PUBLISH_ROLES)


def _detail_url(version: MicroCredentialVersion) -> str:
    return reverse("design:detail", args=[version.micro_credential.provider.slug, version.micro_credential_id])


def _editor_context(editor: DesignEditor, findings: list[Finding], **extra: Any) -> dict[str, Any]:
    errors, warnings = finding_counts(findings)
    return {"editor": editor, "form": editor.form, "outcomes": editor.outcomes, "provider": editor.provider,
            "findings": editor.finding_rows(findings), "counts": counts_text(errors, warnings),
            "error_count": errors, **extra}


# --- list and detail ----------------------------------------------------------------------------------------

@login_required
@require_GET
def design_list(request: HttpRequest, provider: str) -> HttpResponse:
    organisation = _provider(request, provider)
    rows = []
    micro_credentials = provider_micro_credentials(provider=organisation).prefetch_related(
        "versions__outcomes", "versions__co_providers")
    for micro_credential in micro_credentials:
        versions = []
        for version in micro_credential.versions.all():
            errors, warnings = finding_counts(services.version_findings(version))
            versions.append({"version": version, "errors": errors, "warnings": warnings})
        latest = versions[0]["version"] if versions else None
        rows.append({"micro_credential": micro_credential, "latest": latest, "versions": versions})
    return render(request, "catalog/design/list.html", {
        "provider": organisation, "rows": rows, "is_admin": _is_admin(request, organisation)})


@login_required
@require_GET
def micro_credential_detail(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    organisation = _provider(request, provider)
    micro_credential = _found(staff_micro_credential, provider=organisation, pk=pk)
    versions = []
    for version in micro_credential.versions.order_by("-number").prefetch_related(
            "outcomes", "co_providers", "offerings"):
        errors, warnings = finding_counts(services.version_findings(version))
        versions.append({"version": version, "errors": errors, "warnings": warnings})
    return render(request, "catalog/design/detail.html", {
        "provider": organisation, "micro_credential": micro_credential, "versions": versions,
        "latest": versions[0]["version"] if versions else None,
        "working": next((v["version"] for v in versions if v["version"].is_editable), None),
        "published": next((v["version"] for v in versions if v["version"].state == VersionState.PUBLISHED), None),
        "offerings": [o for v in versions for o in v["version"].offerings.all()],
        "is_admin": _is_admin(request, organisation), "reason_form": ReasonForm(),
        "today": timezone.localdate(),
    })


@login_required
@require_GET
def version_preview(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    organisation = _provider(request, provider)
    version = _found(staff_version, provider=organisation, pk=pk)
    findings = services.version_findings(version)
    editor = DesignEditor(provider=organisation, version=version)
    return render(request, "catalog/design/preview.html", {
        **_editor_context(editor, findings), "version": version, "micro_credential": version.micro_credential,
        "is_admin": _is_admin(request, organisation)})


# --- create and edit ----------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def micro_credential_new(request: HttpRequest, provider: str) -> HttpResponse:
    organisation = _provider(request, provider)
    if request.method == "GET":
        editor = DesignEditor(provider=organisation, new=True)
        return render(request, "catalog/design/edit.html", _editor_context(editor, [], version=None))
    editor = DesignEditor(provider=organisation, data=request.POST, new=True)
    if not editor.row_action and editor.is_valid():
        try:
            version = services.micro_credential_create(
                provider=organisation, by=request.user, code=editor.form.cleaned_data["code"],
                data=editor.service_data())
        except InvalidInput as error:
            editor.add_service_errors(error)
        except DomainError as error:
            if error.code == "code_taken":
                editor.form.add_error("code", str(error.message))
            else:
                _refused(request, error)
        else:
            messages.success(request, _("The micro-credential was created as a draft."))
            return redirect("design:edit", organisation.slug, version.pk)
    return render(request, "catalog/design/edit.html",
                  _editor_context(editor, editor.unsaved_findings(), version=None))


@login_required
@require_POST
def version_start(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    """Edit: the working copy if there is one, otherwise a new draft version copied from the latest."""
    organisation = _provider(request, provider)
    micro_credential: MicroCredential = _found(staff_micro_credential, provider=organisation, pk=pk)
    try:
        version = services.version_edit_or_new(micro_credential=micro_credential, by=request.user)
    except DomainError as error:
        _refused(request, error)
        return redirect("design:detail", organisation.slug, micro_credential.pk)
    return redirect("design:edit", organisation.slug, version.pk)


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    organisation = _provider(request, provider)
    version = _found(staff_version, provider=organisation, pk=pk)
    if not version.is_editable:
        messages.info(request, _("A published or retired version never changes. Edit makes a new version."))
        return redirect(_detail_url(version))
    context = {"version": version, "micro_credential": version.micro_credential,
               "is_admin": _is_admin(request, organisation)}
    if request.method == "GET":
        editor = DesignEditor(provider=organisation, version=version)
        return render(request, "catalog/design/edit.html",
                      _editor_context(editor, services.version_findings(version), **context))
    editor = DesignEditor(provider=organisation, data=request.POST, version=version)
    if not editor.row_action and editor.is_valid():
        try:
            services.version_update(version=version, by=request.user, data=editor.service_data())
        except InvalidInput as error:
            editor.add_service_errors(error)
        except DomainError as error:
            _refused(request, error)
            return redirect(_detail_url(version))
        else:
            messages.success(request, _("Saved."))
            return redirect("design:edit", organisation.slug, version.pk)
    return render(request, "catalog/design/edit.html", _editor_context(editor, editor.unsaved_findings(), **context))


@login_required
@require_POST
def design_findings(request: HttpRequest, provider: str) -> HttpResponse:
    """The findings panel for the data on the page, not yet saved (htmx posts the form here as one types)."""
    organisation = _provider(request, provider)
    editor = DesignEditor(provider=organisation, data=request.POST)
    findings = editor.unsaved_findings()
    return render(request, "catalog/design/_findings.html", {
        **_editor_context(editor, findings), "input_errors": editor.has_errors})


@login_required
@require_GET
def outcome_row(request: HttpRequest, provider: str) -> HttpResponse:
    """A new, empty learning-outcome row (htmx), and the formset's new total, swapped out of band."""
    organisation = _provider(request, provider)
    total = request.GET.get(f"{OUTCOMES_PREFIX}-TOTAL_FORMS", "")
    if not total.isdigit():
        return HttpResponseBadRequest(_("The form was incomplete; reload the page and try again."))
    index = int(total)
    if index >= services.MAX_OUTCOMES:
        response = HttpResponse(status=204)
        response["HX-Trigger"] = json.dumps({"design-limit": {"max": services.MAX_OUTCOMES}})
        return response
    return render(request, "catalog/design/_outcome_row_added.html", {
        "provider": organisation, "row": empty_outcome_form(index), "total": index + 1})


@login_required
@require_GET
def outcome_removed(request: HttpRequest, provider: str) -> HttpResponse:
    """Nothing: htmx deletes the row itself, then the findings panel refreshes."""
    _provider(request, provider)
    response = HttpResponse("")
    response["HX-Trigger-After-Swap"] = json.dumps({"design-changed": {"target": "#design-form"}})
    return response


@login_required
@require_GET
def skills_search(request: HttpRequest, provider: str) -> HttpResponse:
    """ESCO skills matching what was typed in one outcome's search box (htmx search-as-you-type)."""
    organisation = _provider(request, provider)
    prefix = row_prefix(request.GET.get("prefix", ""))
    if prefix is None:
        return HttpResponseBadRequest(_("Unknown learning outcome row."))
    query = request.GET.get(f"{prefix}-skill_query", request.GET.get("q", ""))
    return render(request, "catalog/design/_skill_results.html", {
        "provider": organisation, "prefix": prefix, "index": int(prefix.rsplit("-", 1)[1]),
        "results": skill_search(query), "query": query.strip()})


@login_required
@require_GET
def skill_suggestions_for_row(request: HttpRequest, provider: str) -> HttpResponse:
    """ESCO skills that match what one outcome row says, as one-click additions (htmx, after typing pauses).

    Reads the row's texts and chosen skills from the query (`outcomes-N-text_en`, `outcomes-N-skills`);
    nothing is saved.
    """
    organisation = _provider(request, provider)
    prefix = row_prefix(request.GET.get("prefix", ""))
    if prefix is None:
        return HttpResponseBadRequest(_("Unknown learning outcome row."))
    texts = outcome_texts(request.GET, prefix)
    chosen = [uri for uri in request.GET.getlist(f"{prefix}-skills") if isinstance(uri, str)]
    return render(request, "catalog/design/_skill_suggestions.html", {
        "provider": organisation, "prefix": prefix, "index": int(prefix.rsplit("-", 1)[1]),
        "suggestions": skill_suggestions(texts, chosen), "has_text": any(text.strip() for text in texts.values())})


@login_required
@require_GET
def skill_chosen(request: HttpRequest, provider: str) -> HttpResponse:
    """One chosen skill, as a checked box that joins the outcome's list (htmx)."""
    _provider(request, provider)
    prefix = row_prefix(request.GET.get("prefix", ""))
    skill = skill_by_uri(request.GET.get("uri", ""))
    if prefix is None or skill is None:
        return HttpResponseBadRequest(_("Unknown ESCO skill."))
    return render(request, "catalog/design/_skill_chosen.html", {"prefix": prefix, "skill": skill})


# --- workflow -----------------------------------------------------------------------------------------------

def _workflow(request: HttpRequest, provider: str, pk: int, action: Callable[..., MicroCredentialVersion],
              success: str, **kwargs: Any) -> HttpResponse:
    organisation = _provider(request, provider)
    version = _found(staff_version, provider=organisation, pk=pk)
    try:
        action(version=version, by=request.user, **kwargs)
    except services.PublishRefused as error:
        errors, _warnings = finding_counts(error.details or [])
        messages.error(request, "{} {}".format(error.message, _("Errors to fix: %(n)s (listed beside the form).")
                                               % {"n": errors}))
        if version.is_editable:
            return redirect("design:edit", organisation.slug, version.pk)
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, success)
    return redirect(_detail_url(version))


@login_required
@require_POST
def version_submit(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    return _workflow(request, provider, pk, services.version_submit, _("Submitted for review."))


@login_required
@require_POST
def version_return(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _workflow(request, provider, pk, services.version_return_to_draft, _("Returned to draft."),
                     reason=reason)


@login_required
@require_POST
def version_publish(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    return _workflow(request, provider, pk, services.version_publish,
                     _("Published: the micro-credential is now in the public catalog."))


@login_required
@require_POST
def version_retire(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    return _workflow(request, provider, pk, services.version_retire,
                     _("Retired: the micro-credential is no longer in the catalog."))


# --- clone --------------------------------------------------------------------------------------------------

def _clone_source(organisation: Organisation, pk: int) -> MicroCredentialVersion:
    """Any version of one's own, or another provider's published one."""
    try:
        return staff_version(provider=organisation, pk=pk)
    except NotFound:
        source = published_versions().filter(pk=pk).first()
        if source is None:
            raise Http404 from None
        return source


@login_required
@require_http_methods(["GET", "POST"])
def version_clone(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    organisation = _provider(request, provider)
    source = _clone_source(organisation, pk)
    form = CloneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.micro_credential_clone(
                source=source, provider=organisation, by=request.user, code=form.cleaned_data["code"])
        except InvalidInput as error:
            form.add_error("code", [str(m) for messages_ in (error.details or {}).values() for m in messages_])
        except DomainError as error:
            if isinstance(error, DomainPermissionDenied):
                raise Http404 from None
            form.add_error("code", str(error.message))
        else:
            messages.success(request, _("Copied as a new draft. Check every field before you submit it."))
            return redirect("design:edit", organisation.slug, version.pk)
    return render(request, "catalog/design/clone.html", {
        "provider": organisation, "source": source, "form": form,
        "own": source.micro_credential.provider_id == organisation.pk})


@login_required
@require_GET
def catalog_clone(request: HttpRequest, provider: str) -> HttpResponse:
    """Find another university's published micro-credential to start from."""
    organisation = _provider(request, provider)
    form = CatalogSearchForm(request.GET or None)
    results = None
    if form.is_valid():
        query = form.cleaned_data["q"]
        results = catalog_search(CatalogFilters(q=query)).exclude(micro_credential__provider=organisation)[:30]
    return render(request, "catalog/design/catalog_clone.html", {
        "provider": organisation, "form": form, "results": results})


# --- offerings ----------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def offering_new(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    organisation = _provider(request, provider)
    version = _found(staff_version, provider=organisation, pk=pk)
    if version.state != VersionState.PUBLISHED:
        messages.error(request, _("Offerings can be added only to a published micro-credential."))
        return redirect(_detail_url(version))
    form = OfferingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.offering_create(version=version, by=request.user, data=form.service_data())
        except InvalidInput as error:
            form.add_service_errors(error)
        except DomainError as error:
            _refused(request, error)
            return redirect(_detail_url(version))
        else:
            messages.success(request, _("The offering was added."))
            return redirect(_detail_url(version))
    return render(request, "catalog/design/offering_form.html", {
        "provider": organisation, "version": version, "form": form, "offering": None})


@login_required
@require_http_methods(["GET", "POST"])
def offering_edit(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    organisation = _provider(request, provider)
    offering = _found(staff_offering, provider=organisation, pk=pk)
    version = offering.version
    if request.method == "GET" and offering.state == OfferingState.CANCELLED:
        messages.info(request, _("A cancelled offering cannot be changed."))
        return redirect(_detail_url(version))
    form = OfferingForm(request.POST or None, initial=offering_initial(offering))
    if request.method == "POST" and form.is_valid():
        try:
            services.offering_update(offering=offering, by=request.user, data=form.service_data())
        except InvalidInput as error:
            form.add_service_errors(error)
        except DomainError as error:
            _refused(request, error)
            return redirect(_detail_url(version))
        else:
            messages.success(request, _("The offering was saved."))
            return redirect(_detail_url(version))
    return render(request, "catalog/design/offering_form.html", {
        "provider": organisation, "version": version, "form": form, "offering": offering})


@login_required
@require_POST
def offering_cancel(request: HttpRequest, provider: str, pk: int) -> HttpResponse:
    organisation = _provider(request, provider)
    offering = _found(staff_offering, provider=organisation, pk=pk)
    form = ReasonForm(request.POST)
    try:
        services.offering_cancel(offering=offering, by=request.user,
                                 reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The offering was cancelled."))
    return redirect(_detail_url(offering.version))
