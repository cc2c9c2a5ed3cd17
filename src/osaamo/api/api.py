"""The typed JSON API, /api/v1 — assembles each app's ninja router.

The documentation is served at /api/docs and the OpenAPI document at /api/openapi.json. Every
response that is not a success has one shape (`ErrorOut`), including unknown addresses under /api/
and methods an address does not accept.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI

from osaamo.accounts.api import router as accounts_router
from osaamo.api.errors import install_error_handlers, unknown_address, with_json_method_not_allowed
from osaamo.api.language import in_request_language
from osaamo.catalog.api import router as catalog_router
from osaamo.enrolment.api import router as enrolment_router

DESCRIPTION = """
The Osaamo API: the public catalog of university micro-credentials, and design and offerings for
provider staff.

**Reading** the catalog (providers, published micro-credentials, offerings) needs no account.
Drafts are never public.

**Writing** needs a personal API token, created on the page `/en/accounts/tokens/`, sent as
`Authorization: Bearer osm_…`. A token acts for one organisation, the *tenant*: everything you read
and write is that provider's. What you may do depends on your roles there: designers create, edit
and submit; administrators also publish; registrars do not design. Another provider's drafts
answer 404, like ids that do not exist.

**Text** that providers write is an object per language: `{"fi": …, "sv": …, "en": …}`. A value of a
controlled vocabulary is `{"code": …, "label": {"fi", "sv", "en"}}`.

**Errors** all have one shape, `{"error": {"code": …, "message": …, "details": …}}`: a stable
`code`, a `message` for people, and `details` (for `invalid_input` the messages per field path such
as `body.ects` or `query.page_size`; for `publish_refused` and `submit_refused` the validator's
findings). Unknown addresses under `/api/` answer 404 `not_found`, and a method an address does not
take answers 405 `method_not_allowed`.

**Language** of messages: `?lang=fi|sv|en`, otherwise the `Accept-Language` header, otherwise
English.

**Lists** are paginated: `page` (from 1) and `page_size` (1–100, default 20); the answer has
`count`, `next`, `previous` and `items`.
"""


class OsaamoNinjaAPI(NinjaAPI):
    """NinjaAPI whose every address under /api/ answers in the API's error shape."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls: list[URLResolver | URLPattern] = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern) and pattern.name == "api-root":
                # ninja's root view raises Http404 outside any operation (an HTML page); keep its name,
                # which ninja reverses to find the API's prefix, but answer in our shape.
                urls.append(URLPattern(pattern.pattern, unknown_address, name="api-root"))
            elif isinstance(pattern, URLPattern) and pattern.name not in ("openapi-json", "openapi-view"):
                pattern.callback = with_json_method_not_allowed(pattern.callback)
                urls.append(pattern)
            else:
                urls.append(pattern)
        urls.append(re_path(r"^.*$", unknown_address, name="unknown-address"))
        return urls


api = OsaamoNinjaAPI(
    title="Osaamo API",
    version="1",
    description=DESCRIPTION.strip(),
    urls_namespace="api",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_decorator(in_request_language, mode="view")
api.add_router("/v1/", catalog_router)
api.add_router("/v1/", accounts_router)
api.add_router("/v1/", "osaamo.assessment.api.router")
api.add_router("/v1/", "osaamo.credentials.api.router")
api.add_router("/v1/", enrolment_router)
api.add_router("/v1/", "osaamo.demand.api.router")

__all__: list[Any] = ["api"]
