"""Tenancy and roles of the design tool, through HTTP.

Another university's staff, learners and registrars get "not found" (404) for every page and every
POST of this provider's design tool, exactly as for something that does not exist, and nothing
changes; anonymous users are sent to sign in.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from osaamo.catalog.models import MicroCredential, Offering, OfferingState, VersionState
from tests.catalog.test_design_support import design_url, form_data, login, make_draft
from tests.factories import make_published, offering_data

MISSING = 999_999


@pytest.fixture
def hy(helsinki: Any, helsinki_admin: Any) -> SimpleNamespace:
    """Helsinki's draft, a published version and its offering."""
    published = make_published(helsinki, helsinki_admin, code="HY-PUBLISHED")
    return SimpleNamespace(
        draft=make_draft(helsinki, helsinki_admin, code="HY-SECRET-DRAFT"),
        published=published,
        offering=published.offerings.get(),
    )


def get_pages(hy: SimpleNamespace) -> list[tuple[str, tuple[Any, ...]]]:
    return [
        ("list", ()), ("new", ()), ("catalog_clone", ()), ("detail", (hy.draft.micro_credential_id,)),
        ("preview", (hy.draft.pk,)), ("edit", (hy.draft.pk,)), ("clone", (hy.draft.pk,)),
        ("offering_new", (hy.published.pk,)), ("offering_edit", (hy.offering.pk,)),
        ("outcome_row", ()), ("outcome_removed", ()), ("skills", ()), ("skill_chosen", ()),
    ]


def post_actions(hy: SimpleNamespace) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    return [
        ("new", (), form_data(code="EVIL-1")),
        ("findings", (), form_data()),
        ("edit", (hy.draft.pk,), form_data(title_en="Defaced")),
        ("start", (hy.published.micro_credential_id,), {}),
        ("submit", (hy.draft.pk,), {}),
        ("publish", (hy.draft.pk,), {}),
        ("return", (hy.draft.pk,), {}),
        ("retire", (hy.published.pk,), {}),
        ("clone", (hy.draft.pk,), {"code": "STOLEN"}),
        ("offering_new", (hy.published.pk,), {}),
        ("offering_edit", (hy.offering.pk,), {"seats": "1"}),
        ("offering_cancel", (hy.offering.pk,), {}),
    ]


def snapshot(helsinki: Any) -> Any:
    return (
        sorted(MicroCredential.objects.values_list("provider__slug", "code")),
        sorted((v.pk, v.state, v.title.get("en"), v.micro_credential.versions.count())
               for m in MicroCredential.objects.all() for v in m.versions.all()),
        sorted(Offering.objects.values_list("pk", "state", "seats")),
    )


def test_anonymous_users_are_sent_to_sign_in(client: Client, helsinki: Any, hy: SimpleNamespace) -> None:
    for name, args in get_pages(hy):
        response = client.get(design_url(name, helsinki, *args))
        assert response.status_code == 302, name
        assert "/accounts/login/" in response["Location"]
    before = snapshot(helsinki)
    for name, args, data in post_actions(hy):
        response = client.post(design_url(name, helsinki, *args), data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    assert snapshot(helsinki) == before


@pytest.mark.parametrize("who", ["aalto_admin", "aalto_designer", "learner", "helsinki_registrar"])
def test_outsiders_get_not_found_for_every_page(client: Client, helsinki: Any, hy: SimpleNamespace, who: str,
                                                request: pytest.FixtureRequest) -> None:
    login(client, request.getfixturevalue(who))
    for name, args in get_pages(hy):
        assert client.get(design_url(name, helsinki, *args)).status_code == 404, name


@pytest.mark.parametrize("who", ["aalto_admin", "aalto_designer", "learner", "helsinki_registrar"])
def test_outsiders_posts_are_refused_as_not_found_and_change_nothing(
    client: Client, helsinki: Any, hy: SimpleNamespace, who: str, request: pytest.FixtureRequest
) -> None:
    login(client, request.getfixturevalue(who))
    before = snapshot(helsinki)
    for name, args, data in post_actions(hy):
        assert client.post(design_url(name, helsinki, *args), data).status_code == 404, name
    assert snapshot(helsinki) == before
    hy.draft.refresh_from_db()
    assert hy.draft.state == VersionState.DRAFT and hy.draft.title["en"] == "Data protection in practice"


def test_another_providers_objects_through_ones_own_provider_are_not_found(
    client: Client, aalto: Any, aalto_admin: Any, hy: SimpleNamespace
) -> None:
    """Aalto's admin on Aalto's own pages, with Helsinki's ids: the same 404 as for an id that does not exist."""
    login(client, aalto_admin)
    for name, theirs, missing in [
        ("detail", hy.draft.micro_credential_id, MISSING), ("preview", hy.draft.pk, MISSING),
        ("edit", hy.draft.pk, MISSING), ("clone", hy.draft.pk, MISSING),
        ("offering_new", hy.published.pk, MISSING), ("offering_edit", hy.offering.pk, MISSING),
    ]:
        mine = client.get(design_url(name, aalto, theirs))
        absent = client.get(design_url(name, aalto, missing))
        assert mine.status_code == absent.status_code == 404, name
    before = snapshot(aalto)
    for name, args, data in [
        ("edit", (hy.draft.pk,), form_data(title_en="Defaced")), ("submit", (hy.draft.pk,), {}),
        ("publish", (hy.draft.pk,), {}), ("retire", (hy.published.pk,), {}),
        ("start", (hy.published.micro_credential_id,), {}), ("offering_cancel", (hy.offering.pk,), {}),
        ("offering_edit", (hy.offering.pk,), offering_data()), ("offering_new", (hy.published.pk,), offering_data()),
    ]:
        assert client.post(design_url(name, aalto, *args), data).status_code == 404, name
    assert snapshot(aalto) == before
    hy.offering.refresh_from_db()
    assert hy.offering.state == OfferingState.SCHEDULED


def test_a_published_micro_credential_of_another_provider_may_be_cloned_but_not_edited(
    client: Client, aalto: Any, aalto_designer: Any, hy: SimpleNamespace
) -> None:
    login(client, aalto_designer)
    assert client.get(design_url("clone", aalto, hy.published.pk)).status_code == 200
    assert client.get(design_url("preview", aalto, hy.published.pk)).status_code == 404
    assert client.post(design_url("clone", aalto, hy.draft.pk), {"code": "X"}).status_code == 404


def test_the_design_tool_of_an_unknown_provider_is_not_found(client: Client, helsinki_admin: Any) -> None:
    login(client, helsinki_admin)
    assert client.get("/en/design/no-such-university/").status_code == 404


def test_posts_need_the_csrf_token(helsinki: Any, helsinki_admin: Any, hy: SimpleNamespace) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(helsinki_admin)
    assert client.post(design_url("publish", helsinki, hy.draft.pk)).status_code == 403
    assert client.post(design_url("edit", helsinki, hy.draft.pk), form_data(title_en="x")).status_code == 403
    hy.draft.refresh_from_db()
    assert hy.draft.state == VersionState.DRAFT and hy.draft.title["en"] == "Data protection in practice"


def test_staff_of_both_universities_act_for_each_separately(client: Client, helsinki: Any, aalto: Any,
                                                             hy: SimpleNamespace) -> None:
    from tests.factories import make_user

    both = make_user("bea.both@example.fi", "Bea Both", helsinki, "designer")
    make_user("bea.both@example.fi", "Bea Both", aalto, "designer")
    login(client, both)
    assert client.get(design_url("edit", helsinki, hy.draft.pk)).status_code == 200
    assert client.get(design_url("edit", aalto, hy.draft.pk)).status_code == 404
