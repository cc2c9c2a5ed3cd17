"""The accounts app's API operations: who an API token acts as."""


from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from osaamo.accounts.models import ApiToken
from osaamo.accounts.selectors import user_roles
from osaamo.api.auth import token_auth
from osaamo.api.schemas import TranslatedTextOut, error_responses

router = Router(auth=token_auth)


class TokenOrganisationOut(Schema):
    slug: str
    kind: str = Field(..., description="`provider`, `employer` or `operator`.")
    name: TranslatedTextOut


class TokenOut(Schema):
    """The token in use: its name, the person it acts as, the organisation and their roles there."""

    name: str
    prefix: str = Field(..., description="The first characters of the token, to recognise it.")
    created_at: datetime
    email: str
    full_name: str
    organisation: TokenOrganisationOut
    roles: list[str] = Field(..., description="`provider_admin`, `designer`, `registrar`, …")

    @staticmethod
    def resolve_email(obj: Any) -> Any:
        return obj.user.email

    @staticmethod
    def resolve_full_name(obj: Any) -> Any:
        return obj.user.full_name

    @staticmethod
    def resolve_roles(obj: Any) -> Any:
        return sorted(user_roles(obj.user, obj.organisation))


@router.get(
    "/token",
    response={200: TokenOut, **error_responses(401)},
    summary="Who the token acts as",
    tags=["Authentication"],
    operation_id="token_read",
)
def token_read(request: HttpRequest) -> ApiToken:
    """The API token of this request: the person, the organisation it acts for, and their roles there.
    Useful to check a token before using it."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    return token
