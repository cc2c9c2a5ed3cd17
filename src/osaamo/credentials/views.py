"""Pages of the credentials app: the learner's wallet, sharing, verification for everyone, provider
staff's issuing and revocation, the operator's recognised issuers, and the language-neutral documents
that make credentials verifiable (DID documents, issuer profiles, status lists).

Thin views: forms check input, services write, selectors read (tenant first).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_GET, require_POST

from osaamo.accounts.models import Role
from osaamo.accounts.selectors import REGISTRAR_ROLES, has_role, provider_for_staff
from osaamo.catalog.models import MicroCredentialVersion, Offering, VersionState
from osaamo.credentials import building, exporting, identity, pdf, selectors, services, verification
from osaamo.credentials.forms import (
    BulkIssueForm,
    DidForm,
    IssueForm,
    RevokeForm,
    ShareForm,
    TrustedIssuerForm,
    VerifyForm,
)
from osaamo.credentials.models import CredentialState, IssuedCredential, LearnerIdentity, ShareLink, StatusList
from osaamo.errors import DomainError, InvalidInput, NotFound
from osaamo.translation import LANGUAGE_CODES, current_language, translated
from osaamo.web.decorators import not_found_as_404


def _language(request: HttpRequest, default: str) -> str:
    asked = request.GET.get("language") or request.POST.get("language") or ""
    return asked if asked in LANGUAGE_CODES else default


def _refusal(request: HttpRequest, error: DomainError) -> None:
    if isinstance(error, InvalidInput) and error.details:
        for problems in error.details.values():
            for problem in problems if isinstance(problems, list) else [problems]:
                messages.error(request, str(problem))
    else:
        messages.error(request, str(error.message))


# --- language-neutral documents (did:web, profiles, status lists) -------------------------------------


def _public_json(data: Any, *, content_type: str = "application/json", status: int = 200) -> HttpResponse:
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type=content_type, status=status)
    response["Access-Control-Allow-Origin"] = "*"  # browser-based verifiers fetch these across origins
    return response


@require_GET
def did_document(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        document = selectors.did_document_for_slug(slug)
    except NotFound:
        return _public_json({"error": "not_found"}, status=404)
    response = _public_json(document, content_type="application/did+json")
    patch_cache_control(response, public=True, max_age=300)
    return response


@require_GET
def issuer_profile(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        provider = selectors.issuer_by_slug(slug)
    except NotFound:
        return _public_json({"error": "not_found"}, status=404)
    language = _language(request, "fi")
    response = _public_json(building.provider_profile(provider, language), content_type="application/ld+json")
    patch_cache_control(response, public=True, max_age=300)
    return response


def _status_list_or_none(request: HttpRequest, slug: str, number: int) -> StatusList | None:
    cache = request.__dict__.setdefault("_status_lists", {})
    key = (slug, number)
    if key not in cache:
        try:
            cache[key] = selectors.status_list(slug=slug, number=number)
        except NotFound:
            cache[key] = None
    found: StatusList | None = cache[key]
    return found


def _status_etag(request: HttpRequest, slug: str, number: int) -> str | None:
    found = _status_list_or_none(request, slug, number)
    return hashlib.sha256(found.signed_json.encode()).hexdigest()[:32] if found else None


def _status_modified(request: HttpRequest, slug: str, number: int) -> datetime | None:
    found = _status_list_or_none(request, slug, number)
    return found.signed_at if found else None


@require_GET
@condition(etag_func=_status_etag, last_modified_func=_status_modified)
def status_list(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The signed BitstringStatusListCredential, re-signed whenever a bit changes; short caching."""
    found = _status_list_or_none(request, slug, number)
    if found is None:
        return _public_json({"error": "not_found"}, status=404)
    response = HttpResponse(found.signed_json, content_type="application/vc+ld+json")
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=services.STATUS_LIST_TTL_SECONDS)
    return response


@require_GET
def achievement(request: HttpRequest, provider_slug: str, slug: str, number: int) -> HttpResponse:
    """An achievement id (one per catalog version) leads to the micro-credential's public page."""
    with translation.override(current_language()):
        return redirect(reverse("catalog:detail", kwargs={"provider_slug": provider_slug, "slug": slug}))


# --- the learner's wallet ---------------------------------------------------------------------------------


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    user: Any = request.user  # signed in (login_required)
    services.credentials_claim_for(user)
    credentials = list(selectors.learner_credentials(user=user))
    identity_row = LearnerIdentity.objects.filter(user=user).first()
    return render(request, "credentials/wallet.html", {
        "credentials": credentials, "did_form": DidForm(initial={"did": identity_row.did if identity_row else ""}),
    })


@login_required
@require_POST
def wallet_did(request: HttpRequest) -> HttpResponse:
    form = DidForm(request.POST)
    if form.is_valid():
        try:
            services.learner_did_set(user=request.user, did=form.cleaned_data["did"])
        except InvalidInput as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Your identifier was saved; it is used in credentials issued from now on."))
    return redirect("credentials:wallet")


def _linkedin_url(credential: IssuedCredential, language: str) -> str:
    issued = datetime.fromisoformat(credential.values["issued_at"].replace("Z", "+00:00"))
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": translated(credential.title_i18n, language),
        "organizationName": translated(credential.issuer_name_i18n, language),
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "certUrl": pdf.verification_url(credential, language),
        "certId": str(credential.uuid),
    }
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


@login_required
@not_found_as_404
def wallet_credential(request: HttpRequest, uuid: str) -> HttpResponse:
    credential = selectors.learner_credential(user=request.user, uuid_value=uuid)
    language = current_language()
    form = ShareForm(initial={"language": language})
    links = list(credential.share_links.all())
    now = timezone.now()
    return render(request, "credentials/wallet_credential.html", {
        "credential": credential, "share_form": form, "links": links, "now": now,
        "linkedin_url": _linkedin_url(credential, language),
        "certificate": pdf.certificate_context(credential, language),
        "download_languages": _language_names(),
        "verification_url": pdf.verification_url(credential, language),
    })


def _language_names() -> list[tuple[str, str]]:
    from django.conf import settings

    return [(code, str(name)) for code, name in settings.LANGUAGES]


def _share_url(link: ShareLink) -> str:
    return identity.base_url() + reverse("credentials:share", kwargs={"token": link.token})


@login_required
@not_found_as_404
def wallet_json(request: HttpRequest, uuid: str) -> HttpResponse:
    credential = selectors.learner_credential(user=request.user, uuid_value=uuid)
    language = _language(request, credential.language)
    document = services.credential_document(credential, language)
    response = HttpResponse(document.signed_json, content_type="application/vc+ld+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="credential-{credential.uuid}.{language}.json"'
    return response


@login_required
@not_found_as_404
def wallet_pdf(request: HttpRequest, uuid: str) -> HttpResponse:
    credential = selectors.learner_credential(user=request.user, uuid_value=uuid)
    language = _language(request, credential.language)
    response = HttpResponse(pdf.certificate_pdf(credential, language), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.certificate_filename(credential, language)}"'
    return response


@login_required
def wallet_export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(exporting.wallet_zip(request.user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="osaamo-credentials-{timezone.localdate():%Y-%m-%d}.zip"'
    return response


@login_required
@require_POST
@not_found_as_404
def share_create(request: HttpRequest, uuid: str) -> HttpResponse:
    credential = selectors.learner_credential(user=request.user, uuid_value=uuid)
    form = ShareForm(request.POST)
    if form.is_valid():
        try:
            link = services.share_link_create(credential=credential, by=request.user,
                                              expires_on=form.cleaned_data["expires_on"],
                                              label=form.cleaned_data["label"], language=form.cleaned_data["language"])
        except InvalidInput as error:
            _refusal(request, error)
        else:
            messages.success(request, _("The share link was made: %(url)s") % {"url": _share_url(link)})
    else:
        for field_errors in form.errors.values():
            for problem in field_errors:
                messages.error(request, str(problem))
    return redirect("credentials:wallet_credential", uuid=credential.uuid)


@login_required
@require_POST
@not_found_as_404
def share_withdraw(request: HttpRequest, uuid: str, pk: int) -> HttpResponse:
    credential = selectors.learner_credential(user=request.user, uuid_value=uuid)
    link = selectors.learner_share_link(user=request.user, credential=credential, pk=pk)
    services.share_link_withdraw(link=link, by=request.user)
    messages.success(request, _("The share link was withdrawn: it no longer opens."))
    return redirect("credentials:wallet_credential", uuid=credential.uuid)


# --- sharing and verification for everyone ----------------------------------------------------------------


@not_found_as_404
def share(request: HttpRequest, token: str) -> HttpResponse:
    link = selectors.active_share_link(token=token)
    services.share_link_record_view(link=link, what="page")
    document = services.credential_document(link.credential, link.language)
    report = verification.verify_credential(document.signed_json)
    response = render(request, "credentials/verify_result.html", {
        "report": report, "shared": link, "json_url": reverse("credentials:share_json", kwargs={"token": token}),
    })
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, no_store=True)
    return response


@not_found_as_404
def share_json(request: HttpRequest, token: str) -> HttpResponse:
    link = selectors.active_share_link(token=token)
    services.share_link_record_view(link=link, what="json")
    document = services.credential_document(link.credential, link.language)
    response = HttpResponse(document.signed_json, content_type="application/vc+ld+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="credential-{link.credential.uuid}.{link.language}.json"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@not_found_as_404
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """The page the certificate's QR code opens."""
    credential = selectors.credential_by_public_code(code)
    language = current_language()
    document = services.credential_document(credential, language)
    report = verification.verify_credential(document.signed_json)
    response = render(request, "credentials/verify_result.html", {"report": report})
    response["X-Robots-Tag"] = "noindex"
    return response


def verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    if request.method == "POST" and form.is_valid():
        report = verification.verify_credential(form.cleaned_data["payload"])
        return render(request, "credentials/verify_result.html", {"report": report, "pasted": True})
    return render(request, "credentials/verify.html", {"form": form}, status=400 if form.errors else 200)


# --- provider staff: issuing, revocation, keys ---------------------------------------------------------------


def _staff_provider(request: HttpRequest, slug: str) -> Any:
    return provider_for_staff(user=request.user, slug=slug, roles=REGISTRAR_ROLES)


def _issuable_versions(provider: Any) -> list[tuple[int, str]]:
    versions = (MicroCredentialVersion.objects.filter(micro_credential__provider=provider,
                                                      state__in=[VersionState.PUBLISHED, VersionState.RETIRED])
                .select_related("micro_credential").order_by("micro_credential__code", "-number"))
    return [(v.pk, f"{v.micro_credential.code} — {translated(v.title)} (v{v.number})") for v in versions]


@login_required
def staff_credentials(request: HttpRequest, slug: str) -> HttpResponse:
    provider = _staff_provider(request, slug)
    q = (request.GET.get("q") or "").strip()[:100]
    state = request.GET.get("state") or ""
    state = state if state in CredentialState.values else ""
    page = Paginator(selectors.provider_credentials(provider=provider, q=q, state=state), 50).get_page(
        request.GET.get("page"))
    offerings = (Offering.objects.filter(version__micro_credential__provider=provider)
                 .select_related("version__micro_credential").order_by("-start_date", "-id")[:50])
    return render(request, "credentials/staff_list.html", {
        "provider": provider, "page": page, "q": q, "state": state, "states": CredentialState.choices,
        "offerings": _offering_rows(offerings), "jobs": provider.issuing_jobs.select_related("offering")[:10],
        "is_admin": has_role(request.user, provider, (Role.PROVIDER_ADMIN,)),
    })


def _offering_rows(offerings: Any) -> list[dict[str, Any]]:
    from django.db.models import Count, Q

    from osaamo.enrolment.models import EnrolmentState

    rows = []
    ids = [o.pk for o in offerings]
    counts = {row["pk"]: row for row in Offering.objects.filter(pk__in=ids).values("pk").annotate(
        passed=Count("enrolments", filter=Q(enrolments__state=EnrolmentState.COMPLETED), distinct=True),
        certified=Count("issued_credentials", distinct=True))}
    for offering in offerings:
        count: Any = counts.get(offering.pk, {})
        rows.append({"offering": offering, "passed": count.get("passed", 0), "certified": count.get("certified", 0)})
    return rows


@login_required
def staff_issue(request: HttpRequest, slug: str) -> HttpResponse:
    provider = _staff_provider(request, slug)
    versions = _issuable_versions(provider)
    initial = {"awarded_on": timezone.localdate(), "request_key": uuid.uuid4().hex}
    form = IssueForm(request.POST if request.method == "POST" else None, versions=versions, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = MicroCredentialVersion.objects.get(pk=form.cleaned_data["version"],
                                                     micro_credential__provider=provider)
        try:
            credential, created = services.credential_issue_to_email(
                version=version, email=form.cleaned_data["email"], name=form.cleaned_data["name"],
                by=request.user, request_key=form.cleaned_data["request_key"], grade=form.cleaned_data["grade"],
                awarded_on=form.cleaned_data["awarded_on"],
                identity_verification=form.cleaned_data["identity_verification"],
                language=form.cleaned_data["language"],
            )
        except InvalidInput as error:
            form.add_domain_errors(error.details or {None: [error.message]})
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            if created:
                messages.success(request, _("The certificate was issued to %(email)s.") % {
                    "email": credential.recipient_email})
            else:
                messages.info(request, _("This certificate had already been issued."))
            return redirect("credentials:staff_credential", slug=provider.slug, uuid=credential.uuid)
    return render(request, "credentials/staff_issue.html", {"provider": provider, "form": form},
                  status=400 if form.errors else 200)


@login_required
@not_found_as_404
def staff_credential(request: HttpRequest, slug: str, uuid: str) -> HttpResponse:
    provider = _staff_provider(request, slug)
    credential = selectors.provider_credential(provider=provider, uuid_value=uuid)
    return render(request, "credentials/staff_credential.html", {
        "provider": provider, "credential": credential, "form": RevokeForm(),
        "certificate": pdf.certificate_context(credential, current_language()),
        "verification_url": pdf.verification_url(credential, current_language()),
    })


def _status_action(action: Callable[..., Any], success: str) -> Callable[..., HttpResponse]:
    @login_required
    @require_POST
    @not_found_as_404
    def view(request: HttpRequest, slug: str, uuid: str) -> HttpResponse:
        provider = _staff_provider(request, slug)
        credential = selectors.provider_credential(provider=provider, uuid_value=uuid)
        form = RevokeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the reason; the learner sees it."))
        else:
            try:
                action(credential=credential, by=request.user, reason=form.cleaned_data["reason"])
            except DomainError as error:
                _refusal(request, error)
            else:
                messages.success(request, success)
        return redirect("credentials:staff_credential", slug=provider.slug, uuid=credential.uuid)

    return view


staff_revoke = _status_action(services.credential_revoke, _("The credential was revoked."))
staff_suspend = _status_action(services.credential_suspend, _("The credential was suspended."))
staff_unsuspend = _status_action(services.credential_unsuspend, _("The suspension was lifted."))


@login_required
@not_found_as_404
def staff_bulk(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Issue an offering's passed learners' certificates: post → redirect → progress page."""
    provider = _staff_provider(request, slug)
    offering = Offering.objects.filter(pk=pk, version__micro_credential__provider=provider).select_related(
        "version__micro_credential").first()
    if offering is None:
        raise NotFound()
    form = BulkIssueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.issuing_job_create(offering=offering, by=request.user,
                                              awarded_on=form.cleaned_data.get("awarded_on"))
        except InvalidInput as error:
            form.add_domain_errors(error.details)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            return redirect("credentials:staff_job", slug=provider.slug, pk=job.pk)
    row = _offering_rows([offering])[0]
    return render(request, "credentials/staff_bulk.html", {"provider": provider, "row": row, "form": form},
                  status=400 if form.errors else 200)


@login_required
@not_found_as_404
def staff_job(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    provider = _staff_provider(request, slug)
    job = selectors.provider_job(provider=provider, pk=pk)
    template = "credentials/_job_progress.html" if request.headers.get("HX-Request") == "true" \
        else "credentials/staff_job.html"
    response = render(request, template, {"provider": provider, "job": job})
    patch_cache_control(response, no_store=True)
    return response


@login_required
@require_POST
@not_found_as_404
def staff_job_resume(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    provider = _staff_provider(request, slug)
    job = selectors.provider_job(provider=provider, pk=pk)
    try:
        services.issuing_job_resume(job=job, by=request.user)
    except DomainError as error:
        _refusal(request, error)
    return redirect("credentials:staff_job", slug=provider.slug, pk=job.pk)


@login_required
def staff_keys(request: HttpRequest, slug: str) -> HttpResponse:
    provider = provider_for_staff(user=request.user, slug=slug, roles=(Role.PROVIDER_ADMIN,))
    if request.method == "POST":
        key = services.issuer_key_rotate(provider=provider, by=request.user)
        messages.success(request, _("A new signing key %(key)s is in use. Earlier credentials still verify.")
                         % {"key": key.fragment})
        return redirect("credentials:staff_keys", slug=provider.slug)
    services.issuer_key_current(provider)
    return render(request, "credentials/staff_keys.html", {
        "provider": provider, "keys": selectors.provider_keys(provider), "did": identity.provider_did(provider),
        "did_url": reverse("credentials_public:did", kwargs={"slug": provider.slug}),
    })


# --- the operator's recognised issuers ----------------------------------------------------------------------


def _require_operator(request: HttpRequest) -> None:
    if not services._is_operator(request.user):
        raise Http404()


@login_required
def trusted_issuers(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    form = TrustedIssuerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.trusted_issuer_add(by=request.user, did=form.cleaned_data["did"], name=form.names(),
                                        institution_code=form.cleaned_data["institution_code"],
                                        did_document=form.cleaned_data["did_document"])
        except InvalidInput as error:
            form.add_domain_errors(error.details)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The issuer was added to the list."))
            return redirect("credentials:trusted_issuers")
    return render(request, "credentials/trusted_issuers.html", {
        "form": form, "issuers": selectors.trusted_issuers()}, status=400 if form.errors else 200)


@login_required
@require_POST
def trusted_issuer_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_operator(request)
    issuer = selectors.trusted_issuers().filter(pk=pk).first()
    if issuer is None:
        raise Http404()
    services.trusted_issuer_remove(issuer=issuer, by=request.user)
    messages.success(request, _("The issuer was removed from the list."))
    return redirect("credentials:trusted_issuers")

