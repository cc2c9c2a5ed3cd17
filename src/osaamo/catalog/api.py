"""The catalog's API operations: the public catalog, and provider staff's design and offerings.

Every operation is thin: parse (the schemas) → a service or a selector → a schema. Reads that
cross a trust boundary go through the tenant (the API token's provider): another provider's
drafts are "not found", exactly like ids that do not exist.
"""


from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from osaamo.accounts.models import Organisation
from osaamo.accounts.selectors import public_providers
from osaamo.api.auth import provider_tenant, token_auth
from osaamo.api.pagination import Pagination
from osaamo.api.schemas import ObjectId, Slug, error_responses, finding_out
from osaamo.catalog import selectors
from osaamo.catalog.models import MicroCredentialVersion, Offering
from osaamo.catalog.schemas import (
    DesignPatchIn,
    FindingsOut,
    MicroCredentialCreateIn,
    MicroCredentialFacetsOut,
    MicroCredentialFiltersIn,
    MicroCredentialListItemOut,
    MicroCredentialOut,
    OfferingCancelIn,
    OfferingFiltersIn,
    OfferingIn,
    OfferingOut,
    OfferingPatchIn,
    OwnMicroCredentialOut,
    ProviderOut,
    VersionOut,
)
from osaamo.catalog.services import (
    TRANSLATED_FIELDS,
    micro_credential_create,
    offering_cancel,
    offering_create,
    offering_update,
    version_edit_or_new,
    version_findings,
    version_publish,
    version_submit,
    version_update,
)
from osaamo.errors import NotFound
from osaamo.framework.rules import has_errors

PUBLIC_TAGS = {"providers": ["Providers"], "micro_credentials": ["Micro-credentials"], "offerings": ["Offerings"]}
STAFF_TAGS = {"design": ["Provider staff: design"], "offerings": ["Provider staff: offerings"]}

router = Router()
public = Router()
staff = Router(auth=token_auth)
router.add_router("", public)
router.add_router("", staff)


# --- public reading -------------------------------------------------------------------------------


@public.get(
    "/providers",
    response={200: list[ProviderOut], **error_responses(422)},
    summary="List providers",
    tags=PUBLIC_TAGS["providers"],
    operation_id="providers_list",
)
@paginate(Pagination)
def providers_list(request: HttpRequest) -> QuerySet[Organisation]:
    """The universities admitted to the platform as providers, by slug."""
    return public_providers()


@public.get(
    "/providers/{slug}",
    response={200: ProviderOut, **error_responses(404, 422)},
    summary="Read a provider",
    tags=PUBLIC_TAGS["providers"],
    operation_id="provider_read",
)
def provider_read(request: HttpRequest, slug: Slug) -> Organisation:
    """One provider by its slug: names in Finnish, Swedish and English, country, city, website and
    Statistics Finland institution code."""
    provider = public_providers().filter(slug=slug).first()
    if provider is None:
        raise NotFound()
    return provider



@public.get(
    "/micro-credentials",
    response={200: list[MicroCredentialListItemOut], **error_responses(422)},
    summary="Search published micro-credentials",
    tags=PUBLIC_TAGS["micro_credentials"],
    operation_id="micro_credentials_list",
)
@paginate(Pagination)
def micro_credentials_list(
    request: HttpRequest, filters: Query[MicroCredentialFiltersIn]
) -> QuerySet[MicroCredentialVersion]:
    """The published micro-credentials that match every filter given: the same search and filters as
    the catalog pages. The search words match in any inflected form of Finnish, Swedish or English,
    with a typo, or unfinished; also ESCO skill labels. Best match first, or in the order asked for
    (`sort`); newest first without search words. Drafts, versions in review and retired versions are
    never listed."""
    return selectors.catalog_search(filters.to_catalog_filters())


@public.get(
    "/micro-credentials/facets",
    response={200: MicroCredentialFacetsOut, **error_responses(422)},
    summary="Count search results by filter value",
    tags=PUBLIC_TAGS["micro_credentials"],
    operation_id="micro_credentials_facets",
)
def micro_credentials_facets(request: HttpRequest, filters: Query[MicroCredentialFiltersIn]) -> dict[str, Any]:
    """For the same search and filters as the list of micro-credentials: how many match, and for each
    filter how many would match with each of its values (the other filters kept), as the catalog page
    shows beside its filters."""
    results = selectors.catalog_search(filters.to_catalog_filters())
    return {"count": results.count(), "facets": results.facets}


@public.get(
    "/micro-credentials/{provider}/{slug}",
    response={200: MicroCredentialOut, **error_responses(404, 422)},
    summary="Read a published micro-credential",
    tags=PUBLIC_TAGS["micro_credentials"],
    operation_id="micro_credential_read",
)
def micro_credential_read(request: HttpRequest, provider: Slug, slug: Slug) -> MicroCredentialVersion:
    """The current published version of one micro-credential, by its provider's slug and its own:
    every element of the EU Council Recommendation (Annex I), the learning outcomes with their ESCO
    skills, the co-providers, the version number and date, and the upcoming offerings. A micro-credential
    that has never been published answers 404."""
    return selectors.public_version(provider_slug=provider, slug=slug)


@public.get(
    "/offerings",
    response={200: list[OfferingOut], **error_responses(422)},
    summary="Search upcoming offerings",
    tags=PUBLIC_TAGS["offerings"],
    operation_id="offerings_list",
)
@paginate(Pagination)
def offerings_list(request: HttpRequest, filters: Query[OfferingFiltersIn]) -> QuerySet[Offering]:
    """Scheduled runs of published micro-credentials that have not ended, soonest first, filtered by
    every filter given."""
    return selectors.public_offerings(
        selectors.OfferingFilters(
            micro_credential=filters.micro_credential,
            provider=filters.provider or "",
            mode=filters.mode.value if filters.mode else "",
            language=filters.language.value if filters.language else "",
            price=filters.price or "",
            starts_after=filters.starts_after,
        )
    )


@public.get(
    "/offerings/{id}",
    response={200: OfferingOut, **error_responses(404, 422)},
    summary="Read an offering",
    tags=PUBLIC_TAGS["offerings"],
    operation_id="offering_read",
)
def offering_read(request: HttpRequest, id: ObjectId) -> Offering:
    """One run of a published micro-credential, also when it has ended or been cancelled (see `state`)."""
    return selectors.public_offering(pk=id)


# --- provider staff: design -----------------------------------------------------------------------

STAFF_ERRORS = (401, 403)


@staff.get(
    "/manage/micro-credentials",
    response={200: list[OwnMicroCredentialOut], **error_responses(*STAFF_ERRORS, 422)},
    summary="List your own micro-credentials",
    tags=STAFF_TAGS["design"],
    operation_id="own_micro_credentials_list",
)
@paginate(Pagination)
def own_micro_credentials_list(request: HttpRequest) -> Any:
    """Every micro-credential of the token's provider, drafts included, by code, each with all its
    versions (newest first)."""
    return selectors.provider_micro_credentials(provider=provider_tenant(request).provider)


@staff.post(
    "/manage/micro-credentials",
    response={201: VersionOut, **error_responses(400, *STAFF_ERRORS, 409, 422)},
    summary="Create a micro-credential",
    tags=STAFF_TAGS["design"],
    operation_id="own_micro_credential_create",
)
def own_micro_credential_create(request: HttpRequest, payload: MicroCredentialCreateIn) -> Status:
    """A new micro-credential of the token's provider, its first version a draft with the design given.
    Needs the designer or administrator role. The design may be incomplete: the findings operation says
    what is missing. 409 `code_taken` when the provider already has the code."""
    tenant = provider_tenant(request)
    data = payload.model_dump(mode="json", exclude_unset=True)
    code = data.pop("code")
    version = micro_credential_create(provider=tenant.provider, by=tenant.user, code=code, data=data)
    return Status(201, selectors.staff_version(provider=tenant.provider, pk=version.pk))


@staff.get(
    "/manage/micro-credentials/{id}",
    response={200: OwnMicroCredentialOut, **error_responses(*STAFF_ERRORS, 404, 422)},
    summary="Read your own micro-credential",
    tags=STAFF_TAGS["design"],
    operation_id="own_micro_credential_read",
)
def own_micro_credential_read(request: HttpRequest, id: ObjectId) -> Any:
    """One micro-credential of the token's provider with all its versions, drafts included. Another
    provider's micro-credential answers 404, like one that does not exist."""
    provider = provider_tenant(request).provider
    micro_credential = selectors.provider_micro_credentials(provider=provider).filter(pk=id).first()
    if micro_credential is None:
        raise NotFound()
    return micro_credential


@staff.patch(
    "/manage/micro-credentials/{id}",
    response={200: VersionOut, **error_responses(400, *STAFF_ERRORS, 404, 409, 422)},
    summary="Edit the working copy",
    tags=STAFF_TAGS["design"],
    operation_id="own_micro_credential_update",
)
def own_micro_credential_update(request: HttpRequest, id: ObjectId, payload: DesignPatchIn) -> Any:
    """Change the working copy of a micro-credential: the draft (or the version in review, which goes
    back to draft), or, when the newest version is published, a new draft version copied from it —
    a published version never changes. Only the fields sent change; text objects merge per language
    (a language sent as null is removed); lists are replaced whole. Needs the designer or administrator
    role. Answers the working copy; nothing changes when the request is refused."""
    tenant = provider_tenant(request)
    micro_credential = selectors.staff_micro_credential(provider=tenant.provider, pk=id)
    changes = payload.model_dump(mode="json", exclude_unset=True)
    with transaction.atomic():
        version = version_edit_or_new(micro_credential=micro_credential, by=tenant.user)
        version = version_update(version=version, by=tenant.user, data=merge_translations(version, changes))
    return selectors.staff_version(provider=tenant.provider, pk=version.pk)


def merge_translations(version: MicroCredentialVersion, changes: Mapping[str, Any]) -> dict[str, Any]:
    """JSON Merge Patch (RFC 7396) for text objects: the languages sent replace, null removes."""
    merged = dict(changes)
    for name in TRANSLATED_FIELDS:
        patch = changes.get(name)
        if isinstance(patch, Mapping):
            text = dict(getattr(version, name) or {})
            for language, value in patch.items():
                if value is None:
                    text.pop(language, None)
                else:
                    text[language] = value
            merged[name] = text
    return merged


@staff.get(
    "/manage/versions/{id}",
    response={200: VersionOut, **error_responses(*STAFF_ERRORS, 404, 422)},
    summary="Read a version",
    tags=STAFF_TAGS["design"],
    operation_id="own_version_read",
)
def own_version_read(request: HttpRequest, id: ObjectId) -> MicroCredentialVersion:
    """One version of the token's provider's micro-credentials, in any state, with every element."""
    return selectors.staff_version(provider=provider_tenant(request).provider, pk=id)


@staff.get(
    "/manage/versions/{id}/findings",
    response={200: FindingsOut, **error_responses(*STAFF_ERRORS, 404, 422)},
    summary="Check a version against the framework",
    tags=STAFF_TAGS["design"],
    operation_id="own_version_findings",
)
def own_version_findings(request: HttpRequest, id: ObjectId) -> dict[str, Any]:
    """What the framework validator finds in the version: each finding with its stable code, severity,
    field, the rule it comes from, and the explanation in the requested language and in all three.
    A version with any `error` cannot be submitted or published."""
    version = selectors.staff_version(provider=provider_tenant(request).provider, pk=id)
    findings = version_findings(version)
    return {
        "version_id": version.pk,
        "can_publish": not has_errors(findings),
        "findings": [finding_out(finding) for finding in findings],
    }


@staff.post(
    "/manage/versions/{id}/submit",
    response={200: VersionOut, **error_responses(*STAFF_ERRORS, 404, 409, 422)},
    summary="Submit a draft for review",
    tags=STAFF_TAGS["design"],
    operation_id="own_version_submit",
)
def own_version_submit(request: HttpRequest, id: ObjectId) -> MicroCredentialVersion:
    """Draft → in review. Needs the designer or administrator role. Refused (409 `submit_refused`, the
    findings in `details`) while the validator reports an error; 409 `not_draft` for other states."""
    tenant = provider_tenant(request)
    version = selectors.staff_version(provider=tenant.provider, pk=id)
    version_submit(version=version, by=tenant.user)
    return selectors.staff_version(provider=tenant.provider, pk=id)


@staff.post(
    "/manage/versions/{id}/publish",
    response={200: VersionOut, **error_responses(*STAFF_ERRORS, 404, 409, 422)},
    summary="Publish a version",
    tags=STAFF_TAGS["design"],
    operation_id="own_version_publish",
)
def own_version_publish(request: HttpRequest, id: ObjectId) -> MicroCredentialVersion:
    """Publish a draft or a version in review: it enters the public catalog and the version published
    before it is retired. Needs the administrator role. Refused (409 `publish_refused`, the findings in
    `details`) while the validator reports an error; 409 `version_not_editable` for a version already
    published or retired."""
    tenant = provider_tenant(request)
    version = selectors.staff_version(provider=tenant.provider, pk=id)
    version_publish(version=version, by=tenant.user)
    return selectors.staff_version(provider=tenant.provider, pk=id)


# --- provider staff: offerings --------------------------------------------------------------------


@staff.get(
    "/manage/offerings",
    response={200: list[OfferingOut], **error_responses(*STAFF_ERRORS, 422)},
    summary="List your own offerings",
    tags=STAFF_TAGS["offerings"],
    operation_id="own_offerings_list",
)
@paginate(Pagination)
def own_offerings_list(request: HttpRequest) -> QuerySet[Offering]:
    """Every offering of the token's provider, cancelled and past ones included, newest start first."""
    return selectors.staff_offerings(provider=provider_tenant(request).provider)


@staff.post(
    "/manage/versions/{id}/offerings",
    response={201: OfferingOut, **error_responses(400, *STAFF_ERRORS, 404, 409, 422)},
    summary="Add an offering",
    tags=STAFF_TAGS["offerings"],
    operation_id="own_offering_create",
)
def own_offering_create(request: HttpRequest, id: ObjectId, payload: OfferingIn) -> Status:
    """A new run of a published version (409 `not_published` for other versions). Needs the designer
    or administrator role."""
    tenant = provider_tenant(request)
    version = selectors.staff_version(provider=tenant.provider, pk=id)
    offering = offering_create(version=version, by=tenant.user, data=payload.model_dump(mode="json"))
    return Status(201, selectors.staff_offering(provider=tenant.provider, pk=offering.pk))


@staff.get(
    "/manage/offerings/{id}",
    response={200: OfferingOut, **error_responses(*STAFF_ERRORS, 404, 422)},
    summary="Read your own offering",
    tags=STAFF_TAGS["offerings"],
    operation_id="own_offering_read",
)
def own_offering_read(request: HttpRequest, id: ObjectId) -> Offering:
    """One offering of the token's provider, in any state."""
    return selectors.staff_offering(provider=provider_tenant(request).provider, pk=id)


@staff.patch(
    "/manage/offerings/{id}",
    response={200: OfferingOut, **error_responses(400, *STAFF_ERRORS, 404, 409, 422)},
    summary="Change an offering",
    tags=STAFF_TAGS["offerings"],
    operation_id="own_offering_update",
)
def own_offering_update(request: HttpRequest, id: ObjectId, payload: OfferingPatchIn) -> Offering:
    """Only the fields sent change; the result must still be consistent (ends after it starts, enrolment
    closes after it opens, minimum within the seats). Needs the designer or administrator role. 409
    `offering_cancelled` for a cancelled offering."""
    tenant = provider_tenant(request)
    offering = selectors.staff_offering(provider=tenant.provider, pk=id)
    offering_update(offering=offering, by=tenant.user, data=payload.model_dump(mode="json", exclude_unset=True))
    return selectors.staff_offering(provider=tenant.provider, pk=id)


@staff.post(
    "/manage/offerings/{id}/cancel",
    response={200: OfferingOut, **error_responses(400, *STAFF_ERRORS, 404, 409, 422)},
    summary="Cancel an offering",
    tags=STAFF_TAGS["offerings"],
    operation_id="own_offering_cancel",
)
def own_offering_cancel(request: HttpRequest, id: ObjectId, payload: OfferingCancelIn | None = None) -> Offering:
    """Cancel a run; it stays readable with the state `cancelled`. Needs the designer or administrator
    role. The body (a reason) is optional. In the same transaction every active enrolment on it is
    cancelled and its open invoice credited (one that already has a result keeps it), every seat
    purchase is cancelled and credited (its links and codes stop working) and pledges are released;
    the learners and the buying employers are told by email, in their own language, after the commit. 409 `offering_cancelled` when it already is, 409
    `offering_ended` when it has ended."""
    tenant = provider_tenant(request)
    offering = selectors.staff_offering(provider=tenant.provider, pk=id)
    offering_cancel(offering=offering, by=tenant.user, reason=payload.reason if payload else "")
    return selectors.staff_offering(provider=tenant.provider, pk=id)
