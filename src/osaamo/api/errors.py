"""One error shape for the whole API: `{"error": {"code", "message", "details"}}`, translated.

Domain errors from services, ninja's input validation, authentication, unknown addresses and
unsupported methods all end here, so a client handles errors in one place. Messages are rendered
in the request's language (see `osaamo.api.language`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from osaamo.api.language import mark_language, request_language
from osaamo.api.schemas import finding_out
from osaamo.errors import DomainError, InvalidInput
from osaamo.framework.rules import Finding

if TYPE_CHECKING:
    from ninja import NinjaAPI


class InvalidToken(AuthenticationError):
    """An `Authorization: Bearer` token that is unknown, malformed or revoked."""


MESSAGES: dict[str, Any] = {
    "authentication_required": _("Send an API token in the header Authorization: Bearer osm_…"),
    "invalid_token": _("The API token is unknown or has been revoked."),
    "permission_denied": _("You do not have permission to do this."),
    "not_found": _("Not found."),
    "unknown_address": _("There is no such address in the API. See /api/docs for the operations."),
    "method_not_allowed": _("This address does not accept the method %(method)s."),
    "malformed_request": _("The request body is not valid JSON."),
    "invalid_input": _("Some of the information is not valid."),
    "throttled": _("Too many requests: wait a moment and try again."),
}

# Messages for pydantic's error types, so that input errors are translated like everything else.
VALIDATION_MESSAGES: dict[str, Any] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not allowed here."),
    "int_parsing": _("Enter a whole number."),
    "int_type": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "float_parsing": _("Enter a number."),
    "float_type": _("Enter a number."),
    "decimal_parsing": _("Enter a number."),
    "decimal_type": _("Enter a number."),
    "finite_number": _("Enter a number."),
    "decimal_max_places": _("Enter at most %(decimal_places)s decimals."),
    "decimal_max_digits": _("Enter at most %(max_digits)s digits."),
    "greater_than": _("Enter a value greater than %(gt)s."),
    "greater_than_equal": _("Enter a value of at least %(ge)s."),
    "less_than": _("Enter a value less than %(lt)s."),
    "less_than_equal": _("Enter a value of at most %(le)s."),
    "string_type": _("Enter text."),
    "string_too_long": _("Enter at most %(max_length)s characters."),
    "string_too_short": _("Enter at least %(min_length)s characters."),
    "string_pattern_mismatch": _("Enter a valid value."),
    "bool_parsing": _("Enter true or false."),
    "bool_type": _("Enter true or false."),
    "date_parsing": _("Enter a valid date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": _("Enter a valid date (YYYY-MM-DD)."),
    "date_from_datetime_inexact": _("Enter a valid date (YYYY-MM-DD)."),
    "date_type": _("Enter a valid date (YYYY-MM-DD)."),
    "datetime_parsing": _("Enter a valid date and time (ISO 8601, e.g. 2026-01-31T09:00:00+02:00)."),
    "datetime_from_date_parsing": _("Enter a valid date and time (ISO 8601, e.g. 2026-01-31T09:00:00+02:00)."),
    "datetime_type": _("Enter a valid date and time (ISO 8601, e.g. 2026-01-31T09:00:00+02:00)."),
    "datetime_object_invalid": _("Enter a valid date and time (ISO 8601, e.g. 2026-01-31T09:00:00+02:00)."),
    "enum": _("Choose one of: %(expected)s."),
    "literal_error": _("Choose one of: %(expected)s."),
    "list_type": _("Give a list."),
    "too_long": _("Give at most %(max_length)s items."),
    "too_short": _("Give at least %(min_length)s items."),
    "dict_type": _("Give an object."),
    "model_type": _("Give an object."),
    "model_attributes_type": _("Give an object."),
    "nul_character": _("Text may not contain the NUL character."),
    "date_out_of_range": _("Enter a date between the years 2000 and 2100."),
}
FALLBACK_VALIDATION_MESSAGE = _("Enter a valid value.")


def error_body(code: str, message: Any, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "details": jsonable(details)}}


def jsonable(value: Any) -> Any:
    """Details as JSON data: findings serialised, lazy strings rendered in the active language."""
    if isinstance(value, Finding):
        return finding_out(value)
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def validation_message(error: Mapping[str, Any]) -> str:
    template = VALIDATION_MESSAGES.get(str(error.get("type")), FALLBACK_VALIDATION_MESSAGE)
    params = dict(error.get("ctx") or {})
    if "expected" in params:
        params["expected"] = str(params["expected"]).replace(" or ", ", ")
    try:
        return str(template) % params if "%(" in str(template) else str(template)
    except (KeyError, TypeError, ValueError):
        return str(FALLBACK_VALIDATION_MESSAGE)


# ninja nests a schema parameter under the operation argument's name (the body `payload`, query
# `filters`); the client never sees those names, so they are left out of field paths.
PARAMETER_NAMES = frozenset({"payload", "filters", "ninja_pagination"})


def field_path(location: Any) -> str:
    """`("body", "payload", "title", "de")` → `body.title.de`: the request part, then the JSON path."""
    parts = [str(part) for part in (location or ())]
    if len(parts) >= 2 and parts[1] in PARAMETER_NAMES:
        del parts[1]
    return ".".join(parts) or "body"


# --- exception handlers (registered on the NinjaAPI by `install_error_handlers`) -----------------


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def domain_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, DomainError)
        details: Any = exc.details
        if isinstance(exc, InvalidInput) and isinstance(details, Mapping):
            # Services receive exactly the JSON body of the request, so their fields are body fields.
            details = {f"body.{key}": value for key, value in details.items()}
        return respond(request, exc.status, error_body(exc.code, exc.message, details))

    def input_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, NinjaValidationError)
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(field_path(error.get("loc")), []).append(validation_message(error))
        return respond(request, 422, error_body("invalid_input", MESSAGES["invalid_input"], fields))

    def django_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, DjangoValidationError)
        if hasattr(exc, "error_dict"):
            details = {f"body.{key}": [str(m) for m in DjangoValidationError(value).messages]
                       for key, value in exc.error_dict.items()}
        else:
            details = {"body": [str(m) for m in exc.messages]}
        return respond(request, 422, error_body("invalid_input", MESSAGES["invalid_input"], details))

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, HttpError)
        if isinstance(exc, InvalidToken):
            code = "invalid_token"
        elif isinstance(exc, AuthenticationError):
            code = "authentication_required"
        elif isinstance(exc, AuthorizationError):
            code = "permission_denied"
        else:
            code = {400: "malformed_request", 404: "not_found", 429: "throttled"}.get(exc.status_code, "")
        if code:
            response = respond(request, exc.status_code, error_body(code, MESSAGES[code]))
        else:
            response = respond(request, exc.status_code, error_body("http_error", exc.message))
        if exc.status_code == 401:
            response["WWW-Authenticate"] = 'Bearer realm="osaamo"'
        return response

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 404, error_body("not_found", MESSAGES["not_found"]))

    api.add_exception_handler(DomainError, domain_error)
    api.add_exception_handler(NinjaValidationError, input_validation_error)
    api.add_exception_handler(DjangoValidationError, django_validation_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)


# --- plain Django views under /api/ that are not ninja operations ---------------------------------


def unknown_address(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any address under /api/ that no operation serves: a 404 in the API's shape, not an HTML page."""
    language = request_language(request)
    with translation.override(language):
        response = JsonResponse(error_body("not_found", MESSAGES["unknown_address"]), status=404)
    mark_language(response, language)
    return response


unknown_address.csrf_exempt = True  # type: ignore[attr-defined]


def with_json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a ninja path view so that an unsupported method answers 405 in the API's shape."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        language = request_language(request)
        method = (request.method or "")[:10]
        with translation.override(language):
            message = str(MESSAGES["method_not_allowed"]) % {"method": method}
            replacement = JsonResponse(error_body("method_not_allowed", message), status=405)
        replacement["Allow"] = response.get("Allow", "")
        mark_language(replacement, language)
        return replacement

    wrapper.csrf_exempt = True  # type: ignore[attr-defined]
    wrapper.__wrapped__ = view  # type: ignore[attr-defined]
    return wrapper
