"""The providers' demand board: needs by skill and by region, with how well the catalog covers them."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from osaamo.demand.board import COVERED, NOT_COVERED, PARTLY, demand_board
from osaamo.demand.services import need_close
from tests.demand.conftest import (
    NORTH_OSTROBOTHNIA,
    PIRKANMAA,
    SKILL_LEAN,
    SKILL_PROJECT_MANAGEMENT,
    UUSIMAA,
    days,
    make_micro_credential,
    make_need,
    outcome,
)
from tests.factories import SKILL_DATA_PROTECTION, SKILL_GDPR


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_needs_are_grouped_by_skill_with_people_and_coverage(helsinki: Any, helsinki_admin: Any, employer: Any,
                                                             employer_admin: Any, other_employer: Any,
                                                             other_employer_admin: Any) -> None:
    # Data protection: online, upcoming → covered wherever. Lean: on-site in Tampere only. Project management: nobody.
    make_micro_credential(helsinki, helsinki_admin, title="Privacy",
                          outcomes=[outcome("apply data protection law", SKILL_DATA_PROTECTION)],
                          offerings=[{"mode": "online"}])
    make_micro_credential(helsinki, helsinki_admin, title="Lean",
                          outcomes=[outcome("apply lean principles", SKILL_LEAN)],
                          offerings=[{"mode": "onsite", "place": {"fi": "Tampere"}}])
    make_need(employer, employer_admin, skills=[SKILL_DATA_PROTECTION, SKILL_LEAN], region=UUSIMAA, people=10)
    make_need(other_employer, other_employer_admin, skills=[SKILL_DATA_PROTECTION, SKILL_PROJECT_MANAGEMENT],
              region=PIRKANMAA, people=4)
    make_need(other_employer, other_employer_admin, skills=[SKILL_LEAN], region=PIRKANMAA, people=3)

    board = demand_board()
    by_skill = {group.label: group for group in board.by_skill}
    assert {label: (g.needs, g.people, g.coverage) for label, g in by_skill.items()} == {
        "data protection": (2, 14, COVERED),
        "lean manufacturing": (2, 13, PARTLY),  # taught, but on-site in Pirkanmaa: not for Uusimaa
        "project management": (1, 4, NOT_COVERED),
    }
    # The gaps come first: what to design next.
    assert [g.label for g in board.by_skill] == ["project management", "lean manufacturing", "data protection"]
    assert "fit only 1 of 2 needs" in by_skill["lean manufacturing"].explanation
    assert by_skill["project management"].explanation == (
        "No published micro-credential has a learning outcome aligned to this skill.")


def test_needs_are_grouped_by_region_with_coverage(helsinki: Any, helsinki_admin: Any, employer: Any,
                                                   employer_admin: Any) -> None:
    make_micro_credential(helsinki, helsinki_admin, title="Privacy",
                          outcomes=[outcome("apply data protection law", SKILL_DATA_PROTECTION)],
                          offerings=[{"mode": "onsite", "place": {"fi": "Helsinki"}, "start_date": days(30)}])
    make_need(employer, employer_admin, skills=[SKILL_DATA_PROTECTION], region=UUSIMAA, people=5)
    make_need(employer, employer_admin, skills=[SKILL_DATA_PROTECTION], region=NORTH_OSTROBOTHNIA, people=7)
    make_need(employer, employer_admin, skills=[SKILL_DATA_PROTECTION, SKILL_GDPR], region=PIRKANMAA, people=2,
              needed_by=days(10))  # starts too late
    by_region = {group.region: group for group in demand_board().by_region}
    assert by_region[UUSIMAA].coverage == COVERED and by_region[UUSIMAA].label == "Uusimaa"
    assert by_region[NORTH_OSTROBOTHNIA].coverage == PARTLY  # taught, but only on-site in Helsinki
    assert by_region[PIRKANMAA].coverage == PARTLY
    assert by_region[NORTH_OSTROBOTHNIA].explanation == "0 of 1 need is covered in full."


def test_a_need_in_words_only_is_judged_by_its_matches(helsinki: Any, helsinki_admin: Any, employer: Any,
                                                      employer_admin: Any) -> None:
    make_micro_credential(helsinki, helsinki_admin, title="Welding",
                          outcomes=[outcome("apply welding techniques safely")], offerings=[{"mode": "online"}])
    make_need(employer, employer_admin, skills=[], title="Welding techniques", region=UUSIMAA)
    make_need(employer, employer_admin, skills=[], title="Forklift licence", region=PIRKANMAA)
    coverage = {entry.need.title: entry.coverage for entry in demand_board().entries}
    assert coverage == {"Welding techniques": COVERED, "Forklift licence": NOT_COVERED}


def test_closed_and_past_needs_are_not_on_the_board(employer: Any, employer_admin: Any) -> None:
    from osaamo.demand.models import SkillNeed

    closed = make_need(employer, employer_admin, title="Closed")
    need_close(need=closed, by=employer_admin)
    past = make_need(employer, employer_admin, title="Past")
    SkillNeed.objects.filter(pk=past.pk).update(needed_by=days(-1))
    make_need(employer, employer_admin, title="Current")
    assert [entry.need.title for entry in demand_board().entries] == ["Current"]


def test_providers_see_needs_without_the_employers_name_unless_it_chose_to_show_it(
        helsinki: Any, helsinki_designer: Any, employer: Any, employer_admin: Any, other_employer: Any,
        other_employer_admin: Any) -> None:
    make_need(employer, employer_admin, title="Anonymous need", show_name=False)
    make_need(other_employer, other_employer_admin, title="Named need", show_name=True)
    content = signed_in(helsinki_designer).get(reverse("demand:board", args=["helsinki"])).content.decode()
    assert "Anonymous need" in content and "Named need" in content
    assert "Sahatehdas Oy" in content and "Konepaja Oy" not in content
    assert "an employer" in content


def test_the_board_links_a_gap_to_designing_a_micro_credential(helsinki: Any, helsinki_designer: Any,
                                                               helsinki_registrar: Any, employer: Any,
                                                               employer_admin: Any) -> None:
    make_need(employer, employer_admin, skills=[SKILL_PROJECT_MANAGEMENT])
    design = reverse("design:new", args=["helsinki"])
    content = signed_in(helsinki_designer).get(reverse("demand:board", args=["helsinki"])).content.decode()
    assert "project management" in content and "Not covered" in content
    assert f'href="{design}"' in content and "Design a micro-credential for this" in content
    # A registrar sees the board but does not design.
    registrar = signed_in(helsinki_registrar).get(reverse("demand:board", args=["helsinki"])).content.decode()
    assert "project management" in registrar and f'href="{design}"' not in registrar
    by_region = signed_in(helsinki_designer).get(reverse("demand:board", args=["helsinki"]), {"by": "region"})
    assert "Needs by region" in by_region.content.decode() and "Uusimaa" in by_region.content.decode()


def test_only_provider_staff_see_the_board(helsinki: Any, employer: Any, employer_admin: Any, learner: Any,
                                           aalto_admin: Any) -> None:
    url = reverse("demand:board", args=["helsinki"])
    assert signed_in(employer_admin).get(url).status_code == 404
    assert signed_in(learner).get(url).status_code == 404
    assert signed_in(aalto_admin).get(url).status_code == 404  # another university's address
    assert signed_in(aalto_admin).get(reverse("demand:board", args=["aalto"])).status_code == 200
    assert Client().get(url).status_code == 302


def test_the_board_asks_a_bounded_number_of_queries(helsinki: Any, helsinki_admin: Any, helsinki_designer: Any,
                                                    employer: Any, employer_admin: Any,
                                                    django_assert_max_num_queries: Any) -> None:
    make_micro_credential(helsinki, helsinki_admin, title="Privacy",
                          outcomes=[outcome("apply data protection law", SKILL_DATA_PROTECTION)],
                          offerings=[{"mode": "online"}, {"mode": "onsite", "place": {"fi": "Oulu"}}])
    for n in range(15):
        make_need(employer, employer_admin, title=f"Need {n}", skills=[SKILL_DATA_PROTECTION, SKILL_GDPR],
                  region=[UUSIMAA, PIRKANMAA, NORTH_OSTROBOTHNIA][n % 3], people=n + 1)
    client = signed_in(helsinki_designer)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("demand:board", args=["helsinki"]))
    assert response.status_code == 200
