"""The demand API: an employer's skill needs and their matches, and the providers' demand board.

Employers use an API token of their organisation (administrator or employee role): every need read
or written is the token's organisation's, and another employer's need answers 404 like one that does
not exist. Provider staff read the demand board with a token of their university; it shows needs
without the employer's name unless the employer chose to show it.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from osaamo.accounts.models import ApiToken, Organisation, OrganisationKind
from osaamo.accounts.selectors import has_role
from osaamo.api.auth import provider_tenant, token_auth
from osaamo.api.pagination import Pagination
from osaamo.api.schemas import ObjectId, error_responses
from osaamo.demand import selectors, services
from osaamo.demand.board import demand_board
from osaamo.demand.matching import rank_matches
from osaamo.demand.models import SkillNeed
from osaamo.demand.schemas import (
    BoardOut,
    MatchOut,
    NeedFiltersIn,
    NeedIn,
    NeedOut,
    NeedPatchIn,
    board_out,
    match_out,
)
from osaamo.errors import PermissionDenied

EMPLOYER_TAGS = ["Employers: skill needs"]
PROVIDER_TAGS = ["Provider staff: demand"]
ERRORS = (401, 403)

router = Router(auth=token_auth)


def _employer(request: HttpRequest) -> tuple[Any, Organisation]:
    """The employer the token acts for, and its owner; 403 unless they belong to it."""
    token: Any = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    organisation = token.organisation
    if (organisation.kind != OrganisationKind.EMPLOYER or not organisation.is_active
            or not has_role(token.user, organisation, selectors.EMPLOYER_ROLES)):
        raise PermissionDenied()
    return token.user, organisation


@router.get(
    "/manage/needs",
    response={200: list[NeedOut], **error_responses(*ERRORS, 422)},
    summary="List your skill needs",
    tags=EMPLOYER_TAGS,
    operation_id="own_needs_list",
)
@paginate(Pagination)
def own_needs_list(request: HttpRequest, filters: Query[NeedFiltersIn]) -> QuerySet[SkillNeed]:
    """The skill needs of the token's employer, open ones first, the newest first. Needs a token of an
    employer (administrator or employee role)."""
    _user, organisation = _employer(request)
    return selectors.employer_needs(organisation=organisation, state=filters.state)


@router.post(
    "/manage/needs",
    response={201: NeedOut, **error_responses(400, *ERRORS, 422)},
    summary="Post a skill need",
    tags=EMPLOYER_TAGS,
    operation_id="own_need_create",
)
def own_need_create(request: HttpRequest, payload: NeedIn) -> Status:
    """A new open skill need of the token's employer: ESCO skills (URIs), free text, region, how many
    people, by when and an optional budget per person. Unknown ESCO URIs answer 422. Read its matches
    with the matches operation."""
    user, organisation = _employer(request)
    need = services.need_create(organisation=organisation, by=user, data=payload.model_dump(mode="json"))
    return Status(201, selectors.employer_need(organisation=organisation, pk=need.pk))


@router.get(
    "/manage/needs/{id}",
    response={200: NeedOut, **error_responses(*ERRORS, 404, 422)},
    summary="Read your skill need",
    tags=EMPLOYER_TAGS,
    operation_id="own_need_read",
)
def own_need_read(request: HttpRequest, id: ObjectId) -> SkillNeed:
    """One skill need of the token's employer; another employer's need answers 404."""
    _user, organisation = _employer(request)
    return selectors.employer_need(organisation=organisation, pk=id)


@router.patch(
    "/manage/needs/{id}",
    response={200: NeedOut, **error_responses(400, *ERRORS, 404, 409, 422)},
    summary="Change your skill need",
    tags=EMPLOYER_TAGS,
    operation_id="own_need_update",
)
def own_need_update(request: HttpRequest, id: ObjectId, payload: NeedPatchIn) -> SkillNeed:
    """Only the fields sent change. 409 `need_closed` for a closed need."""
    user, organisation = _employer(request)
    need = selectors.employer_need(organisation=organisation, pk=id)
    services.need_update(need=need, by=user, data=payload.model_dump(mode="json", exclude_unset=True))
    return selectors.employer_need(organisation=organisation, pk=id)


@router.post(
    "/manage/needs/{id}/close",
    response={200: NeedOut, **error_responses(*ERRORS, 404, 422)},
    summary="Close your skill need",
    tags=EMPLOYER_TAGS,
    operation_id="own_need_close",
)
def own_need_close(request: HttpRequest, id: ObjectId) -> SkillNeed:
    """Close a need: it leaves the providers' demand board. Closing a closed need changes nothing."""
    user, organisation = _employer(request)
    need = selectors.employer_need(organisation=organisation, pk=id)
    services.need_close(need=need, by=user)
    return selectors.employer_need(organisation=organisation, pk=id)


@router.get(
    "/manage/needs/{id}/matches",
    response={200: list[MatchOut], **error_responses(*ERRORS, 404, 422)},
    summary="Matches of your skill need",
    tags=EMPLOYER_TAGS,
    operation_id="own_need_matches",
)
def own_need_matches(request: HttpRequest, id: ObjectId) -> list[dict[str, Any]]:
    """The published micro-credentials that match the need, best first (at most 20), each with its score
    (0–100) and why: which needed skills it covers through which learning outcomes, which words of the
    need its outcomes contain, and how its best upcoming offering fits the region (online fits every
    region), the date, the budget and the number of people, with its pooling state (a tentative
    offering runs only if its minimum is committed by the decision date)."""
    _user, organisation = _employer(request)
    need = selectors.employer_need(organisation=organisation, pk=id)
    return [match_out(match) for match in rank_matches(need)]


@router.get(
    "/manage/demand-board",
    response={200: BoardOut, **error_responses(*ERRORS)},
    summary="Read the demand board",
    tags=PROVIDER_TAGS,
    operation_id="demand_board_read",
)
def demand_board_read(request: HttpRequest) -> dict[str, Any]:
    """Employers' open skill needs grouped by ESCO skill and by region, with the number of needs and
    people, and how well the published catalog covers each group (`covered`, `partly`, `not_covered`).
    Needs a token of a provider (any staff role). Employers are named only when they chose so."""
    provider_tenant(request)
    return board_out(demand_board())
