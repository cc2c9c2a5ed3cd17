"""The credentials API: verification for employers' systems (no account needed).

`POST /api/v1/verify` runs the same offline checks as the public verification page and answers each
check separately, in the request's language (`?lang=` or `Accept-Language`).
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from osaamo.api.schemas import InputSchema, error_responses
from osaamo.credentials.verification import verify_credential

router = Router(tags=["Verification"])

VerificationStatus = Literal[
    "valid", "revoked", "suspended", "expired", "not_yet_valid", "invalid", "unverifiable", "bad_input"
]


class VerifyIn(InputSchema):
    """The credential to verify, as the VC API's verify request names it."""

    verifiableCredential: dict[str, Any] | str = Field(
        ...,
        description=(
            "The credential: a JSON object, or its JSON text as a string (as received, byte for byte). "
            "At most 1 MB."
        ),
    )


class CheckOut(Schema):
    code: Literal["input", "proof", "issuer_key", "validity_period", "status", "schema", "recognised_issuer"] = Field(
        ..., description="What was checked.")
    outcome: Literal["passed", "failed", "warning", "not_applicable"]
    reason: str = Field(..., description="Stable machine-readable reason, e.g. `valid`, `invalid_signature`, "
                                         "`revoked`, `issuer_not_resolvable_offline`, `not_recognised`.")
    title: str = Field(..., description="The check's name in the requested language.")
    message: str = Field(..., description="The result in plain words, in the requested language.")
    detail: str = Field("", description="Technical detail in English (for logs).")


class IssuerOut(Schema):
    id: str = Field(..., description="The issuer's identifier (DID) as the credential states it.")
    recognised: bool = Field(..., description="Whether the issuer is on the operator's list of recognised "
                                              "higher-education institutions (only when the signature is valid).")
    name: str = Field(..., description="The institution's name on that list.")
    institution_code: str = Field(..., description="The institution code on that list.")


class CredentialSummaryOut(Schema):
    name: str = ""
    achievement: str = ""
    achievement_type: str = ""
    issuer_name: str = ""
    issuer_id: str = ""
    learner_name: str = ""
    learner_id: str = ""
    credits: float | None = None
    grade: str = ""
    awarded: str = ""
    valid_from: str = ""
    valid_until: str = ""
    language: str = ""
    narrative: str = ""
    id: str = ""


class VerifyOut(Schema):
    verified: bool = Field(..., description="True only when the signature is valid and no check failed.")
    status: VerificationStatus = Field(..., description=(
        "One word for the whole answer: `valid`; `revoked` / `suspended` / `expired` / `not_yet_valid` (the "
        "signature is valid, but …); `invalid` (a check failed); `unverifiable` (the issuer's keys or "
        "vocabulary are not available offline); `bad_input` (not a credential)."))
    headline: str
    explanation: str
    checks: list[CheckOut]
    issuer: IssuerOut
    credential: CredentialSummaryOut | None = Field(
        None, description="What the credential claims (trust it only when `verified`).")


@router.post(
    "/verify",
    response={200: VerifyOut, **error_responses(400, 422)},
    summary="Verify a credential",
    operation_id="credential_verify",
    auth=None,
)
def credential_verify(request: HttpRequest, payload: VerifyIn) -> dict[str, Any]:
    """Verify an Open Badges 3.0 / Verifiable Credentials 2.0 credential: the signature
    (eddsa-rdfc-2022, or the older Ed25519Signature2020), that the key belongs to the issuer, the validity
    period, revocation and suspension (Bitstring Status List), the Open Badges schema, and whether the issuer
    is a recognised higher-education institution. Credentials of this platform's institutions verify
    offline; nothing is fetched from the network. A credential that fails a check is still a 200 answer:
    read `verified`, `status` and `checks`."""
    report = verify_credential(payload.verifiableCredential)
    data = report.as_dict()
    data["credential"] = data["credential"] or None
    return data
