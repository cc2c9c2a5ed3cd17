"""Employers post, change and close skill needs; each employer sees only its own (through HTTP too)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from osaamo.audit.models import AuditEntry
from osaamo.demand.models import NeedState, SkillNeed
from osaamo.demand.services import need_close, need_update
from osaamo.errors import Conflict, InvalidInput, PermissionDenied
from tests.demand.conftest import SKILL_PROJECT_MANAGEMENT, UUSIMAA, days, make_need
from tests.factories import SKILL_DATA_PROTECTION, SKILL_GDPR


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- services ------------------------------------------------------------------------------------------


def test_a_member_of_the_employer_posts_a_need_with_skills_region_people_date_and_budget(
        employer: Any, employer_member: Any) -> None:
    need = make_need(employer, employer_member, skills=[SKILL_GDPR, SKILL_DATA_PROTECTION], people=12,
                     budget_per_person="800,50", needed_by=days(60))
    assert need.organisation == employer and need.state == NeedState.OPEN
    assert [skill.uri for skill in need.skills.order_by("uri")] == sorted([SKILL_GDPR, SKILL_DATA_PROTECTION])
    assert (need.region, need.people, str(need.budget_per_person)) == (UUSIMAA, 12, "800.50")
    assert AuditEntry.objects.filter(action="skill_need.created", target_id=str(need.pk), actor=employer_member).exists()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": "  "}, "title", "This field is required."),
    ({"region": "99"}, "region", "Choose a region of Finland."),
    ({"people": 0}, "people", "Enter a number of people between 1 and 10000."),
    ({"people": "many"}, "people", "Enter a number of people between 1 and 10000."),
    ({"needed_by": "2020-01-01"}, "needed_by", "The date cannot be in the past."),
    ({"needed_by": "31.12.2030"}, "needed_by", "Enter a valid date."),
    ({"budget_per_person": "-5"}, "budget_per_person", "Enter an amount in euros between 0 and 999999, e.g. 800."),
    ({"budget_per_person": "NaN"}, "budget_per_person", "Enter an amount in euros between 0 and 999999, e.g. 800."),
    ({"skills": ["http://data.europa.eu/esco/skill/nope"]}, "skills",
     "Unknown ESCO skill http://data.europa.eu/esco/skill/nope."),
    ({"skills": "not a list"}, "skills", "Give the ESCO skills as a list of their URIs."),
    ({"language": "de"}, "language", "Choose fi, sv or en."),
    ({"description": "x\x00y"}, "description", "Text may not contain the NUL character."),
])
def test_bad_input_is_refused_with_a_message_per_field(employer: Any, employer_admin: Any, changes: dict[str, Any],
                                                       field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        make_need(employer, employer_admin, **changes)
    assert refused.value.details[field] == [message]
    assert not SkillNeed.objects.exists()


def test_only_the_employers_own_people_post_needs(employer: Any, other_employer_admin: Any, helsinki: Any,
                                                  helsinki_admin: Any, learner: Any) -> None:
    for person, organisation in ((other_employer_admin, employer), (learner, employer),
                                 (helsinki_admin, helsinki)):
        with pytest.raises(PermissionDenied):
            make_need(organisation, person)


def test_changing_a_need_changes_only_what_is_sent_and_a_closed_need_is_final(
        employer: Any, employer_admin: Any) -> None:
    need = make_need(employer, employer_admin, people=5)
    need = need_update(need=need, by=employer_admin, data={"people": 8, "skills": [SKILL_PROJECT_MANAGEMENT]})
    assert need.people == 8 and need.title == "Data protection for our customer service"
    assert [s.uri for s in need.skills.all()] == [SKILL_PROJECT_MANAGEMENT]
    need_close(need=need, by=employer_admin)
    need_close(need=need, by=employer_admin)  # again: nothing changes
    assert AuditEntry.objects.filter(action="skill_need.closed", target_id=str(need.pk)).count() == 1
    with pytest.raises(Conflict) as refused:
        need_update(need=need, by=employer_admin, data={"people": 9})
    assert refused.value.code == "need_closed"


# --- pages -----------------------------------------------------------------------------------------------


def form_data(**changes: Any) -> dict[str, Any]:
    data = {"title": "Privacy for the sales team", "description": "GDPR in customer data", "language": "en",
            "skills": [SKILL_DATA_PROTECTION], "region": UUSIMAA, "people": "4", "needed_by": days(90),
            "budget_per_person": "", "skill_query": ""}
    data.update(changes)
    return data


def test_posting_a_need_through_the_form_shows_its_matches(employer: Any, employer_member: Any) -> None:
    client = signed_in(employer_member)
    page = client.get(reverse("demand:need_new", args=["konepaja"]))
    assert page.status_code == 200 and "Post a skill need" in page.content.decode()
    response = client.post(reverse("demand:need_new", args=["konepaja"]), form_data(), follow=True)
    need = SkillNeed.objects.get()
    assert response.redirect_chain[-1][0] == reverse("demand:need", args=["konepaja", need.pk])
    content = response.content.decode()
    assert "Privacy for the sales team" in content and "Matching micro-credentials" in content
    assert need.created_by == employer_member and need.show_name is False


def test_the_skill_picker_works_without_javascript(employer: Any, employer_member: Any) -> None:
    client = signed_in(employer_member)
    url = reverse("demand:need_new", args=["konepaja"])
    searched = client.post(url, form_data(skills=[], skill_query="data protection", search_skills="1"))
    assert searched.status_code == 200 and SKILL_DATA_PROTECTION in searched.content.decode()
    added = client.post(url, form_data(skills=[], add_skill=SKILL_GDPR))
    assert f'name="skills" value="{SKILL_GDPR}" checked' in added.content.decode()
    assert not SkillNeed.objects.exists()  # searching and adding do not save


def test_the_skill_picker_answers_htmx(employer: Any, employer_member: Any) -> None:
    client = signed_in(employer_member)
    found = client.get(reverse("demand:skills", args=["konepaja"]), {"skill_query": "GDPR"})
    assert found.status_code == 200 and SKILL_GDPR in found.content.decode()
    chosen = client.get(reverse("demand:skill_chosen", args=["konepaja"]), {"uri": SKILL_GDPR})
    assert f'value="{SKILL_GDPR}" checked' in chosen.content.decode()
    assert client.get(reverse("demand:skill_chosen", args=["konepaja"]), {"uri": "nope"}).status_code == 400


def test_a_form_with_errors_says_what_to_fix_and_keeps_the_chosen_skills(employer: Any, employer_member: Any) -> None:
    response = signed_in(employer_member).post(reverse("demand:need_new", args=["konepaja"]),
                                               form_data(people="0", skills=[SKILL_GDPR]))
    content = response.content.decode()
    assert response.status_code == 400 and "Please check the following" in content
    assert f'value="{SKILL_GDPR}" checked' in content
    unknown = signed_in(employer_member).post(reverse("demand:need_new", args=["konepaja"]),
                                              form_data(skills=["http://nope"]))
    assert unknown.status_code == 400 and "Unknown ESCO skill http://nope." in unknown.content.decode()


def test_editing_and_closing_through_the_pages(employer: Any, employer_admin: Any) -> None:
    need = make_need(employer, employer_admin)
    client = signed_in(employer_admin)
    edit = client.get(reverse("demand:need_edit", args=["konepaja", need.pk]))
    assert "Data protection for our customer service" in edit.content.decode()
    client.post(reverse("demand:need_edit", args=["konepaja", need.pk]), form_data(title="Renamed", people="9"))
    need.refresh_from_db()
    assert (need.title, need.people) == ("Renamed", 9)
    client.post(reverse("demand:need_close", args=["konepaja", need.pk]))
    need.refresh_from_db()
    assert need.state == NeedState.CLOSED
    listing = client.get(reverse("demand:needs", args=["konepaja"])).content.decode()
    assert "Renamed" in listing and "Closed" in listing


def test_another_employer_cannot_see_or_change_a_need(employer: Any, employer_admin: Any, other_employer: Any,
                                                      other_employer_admin: Any, helsinki_admin: Any) -> None:
    need = make_need(employer, employer_admin)
    outsider = signed_in(other_employer_admin)
    for name in ("demand:need", "demand:need_edit"):
        assert outsider.get(reverse(name, args=["konepaja", need.pk])).status_code == 404
        # The outsider's own organisation in the address does not help: the need is not theirs.
        assert outsider.get(reverse(name, args=["sahatehdas", need.pk])).status_code == 404
    assert outsider.post(reverse("demand:need_close", args=["sahatehdas", need.pk])).status_code == 404
    assert outsider.post(reverse("demand:need_edit", args=["sahatehdas", need.pk]), form_data()).status_code == 404
    assert outsider.get(reverse("demand:needs", args=["konepaja"])).status_code == 404
    assert signed_in(helsinki_admin).get(reverse("demand:need", args=["konepaja", need.pk])).status_code == 404
    need.refresh_from_db()
    assert need.state == NeedState.OPEN and need.title == "Data protection for our customer service"
    anonymous = Client().get(reverse("demand:need", args=["konepaja", need.pk]))
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]


def test_the_needs_list_shows_only_the_employers_own(employer: Any, employer_admin: Any, other_employer: Any,
                                                    other_employer_admin: Any) -> None:
    make_need(employer, employer_admin, title="Ours")
    make_need(other_employer, other_employer_admin, title="Theirs")
    content = signed_in(employer_admin).get(reverse("demand:needs", args=["konepaja"])).content.decode()
    assert "Ours" in content and "Theirs" not in content
