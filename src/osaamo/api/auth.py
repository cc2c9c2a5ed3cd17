"""Token authentication: `Authorization: Bearer osm_…`, a personal token acting for one organisation.

Tokens are created and revoked on the page /<lang>/accounts/tokens/. The token's organisation is
the tenant of every request made with it; what the person may do there is decided by their roles,
which the services check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from osaamo.accounts.models import ApiToken, Organisation, User
from osaamo.accounts.selectors import PROVIDER_STAFF_ROLES, has_role
from osaamo.accounts.services import api_token_authenticate
from osaamo.api.errors import InvalidToken
from osaamo.errors import PermissionDenied


class ApiTokenAuth(HttpBearer):
    openapi_bearerFormat = "osm_…"
    openapi_description = (
        "A personal API token, created on the page /en/accounts/tokens/. It acts for one organisation "
        "with the roles its owner holds there."
    )

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        api_token = api_token_authenticate(token.strip())
        if api_token is None:
            raise InvalidToken()
        return api_token


token_auth = ApiTokenAuth()


@dataclass(frozen=True)
class Tenant:
    """Who acts (the token's owner) and for which provider (the token's organisation)."""

    token: ApiToken
    user: User
    provider: Organisation


def provider_tenant(request: HttpRequest) -> Tenant:
    """The provider the request acts for; refused unless the token's owner is its staff."""
    token: Any = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    organisation = token.organisation
    if not organisation.is_provider or not organisation.is_active or not has_role(
        token.user, organisation, PROVIDER_STAFF_ROLES
    ):
        raise PermissionDenied()
    return Tenant(token=token, user=token.user, provider=organisation)
