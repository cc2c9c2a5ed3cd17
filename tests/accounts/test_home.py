"""My pages: each person sees the way to what their roles let them do, and every link opens for them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from osaamo.accounts.models import Role
from tests.factories import make_user

LEARNER_LINKS = {"/en/my-studies/", "/en/enrol/mine/", "/en/wallet/"}


def _links(client: Any, user: Any) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    body = response.content.decode()
    main = body[body.index("<main"):body.index("</main>")]
    return set(re.findall(r'href="(/en/[^"#?]+)"', main)) - {"/en/accounts/tokens/"}


def _all_open(client: Any, links: set[str]) -> None:
    for link in links:
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize(("role", "expected"), [
    (Role.PROVIDER_ADMIN, {"design", "enrolments", "invoicing", "assessment", "credentials", "demand", "pooling"}),
    (Role.DESIGNER, {"design", "demand", "pooling"}),
    (Role.REGISTRAR, {"enrolments", "assessment", "credentials", "demand", "pooling"}),
    (Role.TEACHER, {"assessment"}),
])
def test_provider_staff_see_the_pages_of_their_role(client: Any, helsinki: Any, role: str, expected: set[str]) -> None:
    user = make_user(f"{role}@helsinki.example", "Staff", helsinki, role)
    links = _links(client, user)
    pages = {
        "design": "/en/design/helsinki/", "enrolments": "/en/provider/helsinki/enrolments/",
        "invoicing": "/en/provider/helsinki/invoicing/", "assessment": "/en/provider/helsinki/assessment/",
        "credentials": "/en/provider/helsinki/credentials/", "demand": "/en/provider/helsinki/demand/",
        "pooling": "/en/provider/helsinki/pooling/",
    }
    assert links - LEARNER_LINKS == {pages[name] for name in expected}
    assert links >= LEARNER_LINKS
    _all_open(client, links)


def test_employer_admin_and_member(client: Any, employer: Any) -> None:
    admin = make_user("hr@konepaja.example", "HR", employer, Role.EMPLOYER_ADMIN)
    member = make_user("worker@konepaja.example", "Worker", employer, Role.EMPLOYER_MEMBER)
    needs, pledges, seats = ("/en/organisation/konepaja/needs/", "/en/organisation/konepaja/pledges/",
                             "/en/organisation/konepaja/seats/")
    admin_links = _links(client, admin)
    assert admin_links - LEARNER_LINKS == {needs, pledges, seats}
    _all_open(client, admin_links)
    member_links = _links(client, member)
    assert member_links - LEARNER_LINKS == {needs, pledges}
    _all_open(client, member_links)


def test_operator_sees_the_recognised_issuers(client: Any, operator_org: Any) -> None:
    operator = make_user("op@osaamo.example", "Operator", operator_org, Role.OPERATOR)
    links = _links(client, operator)
    assert links - LEARNER_LINKS == {"/en/operator/recognised-issuers/"}
    _all_open(client, links)


def test_a_learner_sees_only_their_own_pages_translated(client: Any, learner: Any) -> None:
    assert _links(client, learner) == LEARNER_LINKS
    response = client.get("/fi/accounts/")
    assert "Omat todistukseni" in response.content.decode()
