"""The enrolment API: a signed-in learner's own enrolments, and provider staff's enrolment lists.

The learner's operations use the browser session of the website (no token: learners have none);
provider staff use an API token of their university, with the administrator or registrar role.
Another provider's offering answers 404, like an id that does not exist.
"""


from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from osaamo.accounts.selectors import REGISTRAR_ROLES, has_role
from osaamo.api.auth import provider_tenant, token_auth
from osaamo.api.pagination import Pagination
from osaamo.api.schemas import ObjectId, error_responses
from osaamo.enrolment import selectors
from osaamo.enrolment.models import Enrolment
from osaamo.enrolment.schemas import EnrolmentFiltersIn, MyEnrolmentOut, PlacesOut, StaffEnrolmentOut
from osaamo.errors import DomainError, PermissionDenied

LEARNER_TAGS = ["Learners: enrolments"]
STAFF_TAGS = ["Provider staff: enrolments"]

router = Router()
learner = Router()
staff = Router(auth=token_auth)
router.add_router("", learner)
router.add_router("", staff)


class SignInRequired(DomainError):
    status = 401
    default_code = "authentication_required"
    default_message = _("Sign in on the website first: this operation reads your own enrolments through your "
                        "browser session.")


def _signed_in(request: HttpRequest) -> Any:
    if not request.user.is_authenticated:
        raise SignInRequired()
    return request.user


def _registrar(request: HttpRequest) -> Any:
    tenant = provider_tenant(request)
    if not has_role(tenant.user, tenant.provider, REGISTRAR_ROLES):
        raise PermissionDenied(_("Reading enrolments needs the administrator or registrar role."))
    return tenant


@learner.get(
    "/me/enrolments",
    response={200: list[MyEnrolmentOut], **error_responses(401, 422)},
    summary="List my enrolments",
    tags=LEARNER_TAGS,
    operation_id="my_enrolments_list",
)
@paginate(Pagination)
def my_enrolments_list(request: HttpRequest, filters: Query[EnrolmentFiltersIn]) -> QuerySet[Enrolment]:
    """The signed-in learner's own enrolments, the newest first: state (interested, waitlisted, enrolled,
    cancelled, completed, failed), the price and payment method recorded at enrolment, the invoice with
    its reference numbers, and the offering. Uses the website's session cookie (sign in on the website);
    without one the answer is 401 `authentication_required`."""
    enrolments = selectors.learner_enrolments(learner=_signed_in(request))
    return enrolments.filter(state=filters.state) if filters.state else enrolments


@staff.get(
    "/manage/offerings/{id}/enrolments",
    response={200: list[StaffEnrolmentOut], **error_responses(401, 403, 404, 422)},
    summary="List the enrolments of an offering",
    tags=STAFF_TAGS,
    operation_id="offering_enrolments_list",
)
@paginate(Pagination)
def offering_enrolments_list(
    request: HttpRequest, id: ObjectId, filters: Query[EnrolmentFiltersIn]
) -> QuerySet[Enrolment]:
    """Every enrolment of one of the token's provider's offerings (or of a joint micro-credential it
    co-provides): the waiting list in its order first, then the others by state. Needs the administrator
    or registrar role (403 otherwise). Another provider's offering answers 404."""
    tenant = _registrar(request)
    offering = selectors.provider_offering(provider=tenant.provider, pk=id)
    enrolments = selectors.offering_enrolments(offering=offering)
    return enrolments.filter(state=filters.state) if filters.state else enrolments


@staff.get(
    "/manage/offerings/{id}/places",
    response={200: PlacesOut, **error_responses(401, 403, 404, 422)},
    summary="Count the places of an offering",
    tags=STAFF_TAGS,
    operation_id="offering_places_read",
)
def offering_places_read(request: HttpRequest, id: ObjectId) -> Any:
    """How the places of one of the token's provider's offerings are used: capacity, enrolled, seats bought
    by organisations and not yet used, places left, the waiting list and interest registrations. Needs the
    administrator or registrar role. Another provider's offering answers 404."""
    tenant = _registrar(request)
    places = selectors.offering_places(selectors.provider_offering(provider=tenant.provider, pk=id))
    return {
        "capacity": places.capacity, "enrolled": places.enrolled, "reserved_seats": places.reserved_seats,
        "left": places.left, "waitlisted": places.waitlisted, "interested": places.interested,
    }
