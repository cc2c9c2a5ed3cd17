"""The assessment API: a study information system records results with a provider's API token.

Writes are idempotent with a client-supplied `Idempotency-Key` header: the same key with the same
body answers the first answer again and writes nothing (`Idempotent-Replayed: true`); the same key
with another body is refused with 409 `idempotency_key_reused`. Recording a result that is already
recorded changes nothing either, key or no key.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params import HeaderEx, P

from osaamo.accounts.models import ApiToken
from osaamo.accounts.selectors import ASSESSOR_ROLES, has_role
from osaamo.api.auth import Tenant, token_auth
from osaamo.api.pagination import Pagination
from osaamo.api.schemas import InputSchema, ObjectId, error_responses
from osaamo.assessment import selectors, services
from osaamo.assessment.models import ApplyMode, Result, ResultSource
from osaamo.assessment.validation import MAX_ASSESSOR, MAX_NOTE, CheckedRow, ResultInput, RowStatus
from osaamo.errors import InvalidInput, PermissionDenied
from osaamo.framework.vocabularies import IdentityVerification

TAGS = ["Provider staff: assessment"]
MAX_BATCH = 1000

router = Router(auth=token_auth)

IdentityVerificationCode = Literal["unsupervised_no_id", "supervised_no_id", "supervised_online_id",
                                   "supervised_onsite_id"]
assert set(IdentityVerificationCode.__args__) == set(IdentityVerification.values)  # type: ignore[attr-defined]

IdempotencyKeyHeader = HeaderEx[
    str | None,
    P(alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
      description="A key of your own (e.g. a UUID), unique per write request: sending the same request again "
                  "with it writes nothing and answers the first answer. Printable ASCII, at most 255 characters."),
]


class ResultIn(InputSchema):
    """One learner's result."""

    email: str = Field(..., min_length=3, max_length=254,
                       description="The email address the learner enrolled with (any case).")
    grade: str = Field(..., min_length=1, max_length=40, description=(
        "A grade on the offering's scale: `0`–`5` (0 = fail) or `pass` / `fail`. The words `hyväksytty`, "
        "`hylätty`, `godkänd`, `underkänd` (and `hyl` for 0) are read too."))
    assessed_on: date = Field(..., description="The date of the assessment (not in the future).")
    identity_verification: IdentityVerificationCode | None = Field(None, description=(
        "Supervision and identity verification during the assessment; when left out, what the micro-credential "
        "states."))
    assessor: str = Field("", max_length=MAX_ASSESSOR, description="Who assessed (optional).")
    note: str = Field("", max_length=MAX_NOTE, description="A note for the provider's staff (optional).")


class ResultsBatchIn(InputSchema):
    """Results of several learners of one offering."""

    mode: Literal["all_or_nothing", "valid_rows"] = Field("all_or_nothing", description=(
        "`all_or_nothing` (default): when any result has a problem, nothing is saved and the answer is 422 "
        "with the problems per item. `valid_rows`: the valid results are saved and the others reported."))
    results: list[ResultIn] = Field(..., min_length=1, max_length=MAX_BATCH,
                                    description=f"1–{MAX_BATCH} results, one per learner.")


class ResultOut(Schema):
    id: int
    enrolment: int = Field(..., description="The id of the learner's enrolment.")
    email: str
    name: str
    grade: str = Field(..., description="`0`–`5` or `pass` / `fail`.")
    passed: bool
    scale: str = Field(..., description="`0-5` or `pass_fail`.")
    assessed_on: date
    identity_verification: str
    assessor: str
    note: str
    source: str = Field(..., description="How it was recorded: `form`, `grid`, `csv` or `api`.")
    enrolment_state: str = Field(..., description="`completed` (passed) or `failed`.")
    credential: str | None = Field(None, description="The id (UUID) of the credential issued for it, if any.")
    credential_state: str | None = Field(None, description="`active`, `suspended` or `revoked`.")
    updated_at: datetime

    # Resolvers read a Result row, or the stored JSON of an answer replayed for an Idempotency-Key.
    @staticmethod
    def resolve_enrolment(obj: Any) -> int:
        return int(obj["enrolment"] if isinstance(obj, dict) else obj.enrolment_id)

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj["email"] if isinstance(obj, dict) else obj.learner.email)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj["name"] if isinstance(obj, dict) else obj.learner.full_name)

    @staticmethod
    def resolve_enrolment_state(obj: Any) -> str:
        return str(obj["enrolment_state"] if isinstance(obj, dict) else obj.enrolment.state)

    @staticmethod
    def resolve_credential(obj: Any) -> str | None:
        value = obj.get("credential") if isinstance(obj, dict) else getattr(obj, "credential_uuid", None)
        return str(value) if value else None


class ResultWriteOut(Schema):
    outcome: Literal["created", "changed", "unchanged"] = Field(..., description=(
        "`unchanged`: the same result was recorded already, and nothing was written."))
    issuing_started: bool = Field(..., description="Whether issuing the credential started (automatic issuing).")
    result: ResultOut


class ProblemOut(Schema):
    code: str = Field(..., description="Stable code, e.g. `unknown_learner`, `not_enrolled`, `bad_grade`, "
                                       "`future_date`, `duplicate`, `credential_issued`.")
    field: str = Field(..., description="`email`, `grade`, `assessed_on`, …")
    message: str = Field(..., description="The problem in the requested language.")


class BatchItemOut(Schema):
    index: int = Field(..., description="The position of the result in the request, from 0.")
    email: str
    outcome: Literal["created", "changed", "unchanged", "rejected"]
    result: int | None = Field(None, description="The id of the result.")
    problems: list[ProblemOut]


class ResultsBatchOut(Schema):
    created: int
    changed: int
    unchanged: int
    rejected: int
    issuing_started: bool
    items: list[BatchItemOut]


OUTCOMES = {RowStatus.NEW: "created", RowStatus.CHANGED: "changed", RowStatus.UNCHANGED: "unchanged",
            RowStatus.ERROR: "rejected"}


def _assessor(request: HttpRequest) -> Tenant:
    """The provider the token acts for; its owner must be an administrator, registrar or teacher there."""
    token: Any = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    organisation = token.organisation
    if not organisation.is_provider or not organisation.is_active or not has_role(
            token.user, organisation, ASSESSOR_ROLES):
        raise PermissionDenied(_("Recording results needs the administrator, registrar or teacher role."))
    return Tenant(token=token, user=token.user, provider=organisation)


def _results(offering: Any) -> QuerySet[Result]:
    from osaamo.credentials.models import IssuedCredential

    credential = IssuedCredential.objects.filter(enrolment_id=OuterRef("enrolment_id")).order_by("id")
    return selectors.offering_results(offering=offering).annotate(
        credential_uuid=Subquery(credential.values("uuid")[:1]),
        credential_state=Subquery(credential.values("state")[:1]),
    )


def _input(item: ResultIn, index: int) -> ResultInput:
    return ResultInput(email=item.email, grade=item.grade, assessed_on=item.assessed_on,
                       identity_verification=item.identity_verification or "", assessor=item.assessor,
                       note=item.note, line=index)


def _problems(row: CheckedRow) -> list[dict[str, str]]:
    return [{"code": p.code, "field": p.field, "message": p.message()} for p in row.problems]


def _refused(rows: list[CheckedRow], prefix: str | None) -> InvalidInput:
    """The problems per field path: `grade` for one result, `results.3.grade` in a batch (prefix `results`)."""
    details: dict[str, list[str]] = {}
    for position, row in enumerate(rows):
        for problem in row.problems:
            path = f"{prefix}.{position}.{problem.field}" if prefix else problem.field
            details.setdefault(path, []).append(problem.message())
    return InvalidInput(services.ResultsRefused.default_message, code="results_invalid", details=details)


def _result_data(offering: Any, result_id: int) -> dict[str, Any]:
    return ResultOut.from_orm(_results(offering).get(pk=result_id)).model_dump(mode="json")


@router.get(
    "/manage/offerings/{id}/results",
    response={200: list[ResultOut], **error_responses(401, 403, 404, 422)},
    summary="List the results of an offering",
    tags=TAGS,
    operation_id="offering_results_list",
)
@paginate(Pagination)
def offering_results_list(request: HttpRequest, id: ObjectId) -> QuerySet[Result]:
    """The recorded results of one of the token's provider's offerings (or of a joint micro-credential it
    co-provides), in the order they were first recorded, with the credential issued for each. Needs the
    administrator, registrar or teacher role (403 otherwise). Another provider's offering answers 404."""
    tenant = _assessor(request)
    return _results(selectors.assessment_offering(provider=tenant.provider, pk=id))


@router.post(
    "/manage/offerings/{id}/results",
    response={200: ResultWriteOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Record one learner's result",
    tags=TAGS,
    operation_id="offering_result_record",
)
def offering_result_record(request: HttpRequest, id: ObjectId, payload: ResultIn, response: HttpResponse,
                           idempotency_key: IdempotencyKeyHeader = None) -> Any:
    """Record (or correct) the result of a learner enrolled on one of the token's provider's offerings. The
    enrolment becomes completed (a passing grade) or failed; with automatic issuing, a pass also starts
    issuing the credential. The same result again answers `unchanged` and writes nothing. A result whose
    credential stands cannot be changed (422 `results_invalid`, revoke the credential first). Problems answer
    422 with messages per field (`body.email`, `body.grade`, …). With an `Idempotency-Key`, repeating the
    request answers the same without writing; the same key with another body answers 409
    `idempotency_key_reused`. Needs the administrator, registrar or teacher role; another provider's offering
    answers 404."""
    tenant = _assessor(request)
    offering = selectors.assessment_offering(provider=tenant.provider, pk=id)

    def write() -> tuple[int, Any]:
        try:
            outcome = services.results_record(offering=offering, by=tenant.user, rows=[_input(payload, 0)],
                                              source=ResultSource.API)
        except services.ResultsRefused as error:
            raise _refused(error.details["rows"], prefix=None) from None
        row = outcome.rows[0]
        assert row.existing is not None
        return 200, {"outcome": OUTCOMES[row.status], "issuing_started": outcome.issuing_started,
                     "result": _result_data(offering, row.existing.pk)}

    fingerprint = services.request_fingerprint("POST", request.path, payload.model_dump(mode="json"))
    status, body, replayed = services.idempotent(organisation=tenant.provider, key=idempotency_key,
                                                 fingerprint=fingerprint, write=write)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(status, body)


@router.post(
    "/manage/offerings/{id}/results/batch",
    response={200: ResultsBatchOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Record the results of several learners",
    tags=TAGS,
    operation_id="offering_results_batch",
)
def offering_results_batch(request: HttpRequest, id: ObjectId, payload: ResultsBatchIn, response: HttpResponse,
                           idempotency_key: IdempotencyKeyHeader = None) -> Any:
    """Record up to 1000 results of one offering in one transaction. In `all_or_nothing` mode (the default)
    any problem saves nothing and answers 422 `results_invalid` with the messages per item
    (`body.results.3.grade`); in `valid_rows` mode the valid results are saved and each item tells its outcome
    and problems. Results equal to what is recorded answer `unchanged` and write nothing, so the same batch
    sent again changes nothing. `Idempotency-Key` works as for one result. Needs the administrator,
    registrar or teacher role; another provider's offering answers 404."""
    tenant = _assessor(request)
    offering = selectors.assessment_offering(provider=tenant.provider, pk=id)

    def write() -> tuple[int, Any]:
        try:
            outcome = services.results_record(
                offering=offering, by=tenant.user, rows=[_input(item, i) for i, item in enumerate(payload.results)],
                mode=ApplyMode(payload.mode), source=ResultSource.API)
        except services.ResultsRefused as error:
            raise _refused(error.details["rows"], prefix="results") from None
        items = [{"index": i, "email": row.input.email, "outcome": OUTCOMES[row.status],
                  "result": row.existing.pk if row.existing is not None and row.is_valid else None,
                  "problems": _problems(row)} for i, row in enumerate(outcome.rows)]
        return 200, {"created": outcome.count(RowStatus.NEW), "changed": outcome.count(RowStatus.CHANGED),
                     "unchanged": outcome.count(RowStatus.UNCHANGED), "rejected": outcome.count(RowStatus.ERROR),
                     "issuing_started": outcome.issuing_started, "items": items}

    fingerprint = services.request_fingerprint("POST", request.path, payload.model_dump(mode="json"))
    status, body, replayed = services.idempotent(organisation=tenant.provider, key=idempotency_key,
                                                 fingerprint=fingerprint, write=write)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(status, body)
