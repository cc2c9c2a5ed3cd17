"""The demand API: employers' needs and matches with an employer's token, the demand board with a
provider's; another employer's need is 404; every error in the one shape."""

from __future__ import annotations

from typing import Any

from osaamo.demand.models import SkillNeed
from tests.api.conftest import ApiClient, assert_error, make_token
from tests.demand.conftest import (
    SKILL_PROJECT_MANAGEMENT,
    UUSIMAA,
    days,
    make_micro_credential,
    make_need,
    make_tentative,
    outcome,
)
from tests.factories import SKILL_DATA_PROTECTION

NEED = {"title": "Privacy for sales", "description": "GDPR and customer data", "language": "en",
        "skills": [SKILL_DATA_PROTECTION], "region": UUSIMAA, "people": 6}


def test_an_employer_posts_a_need_and_reads_its_matches_with_explanations(
        employer: Any, employer_member: Any, helsinki: Any, helsinki_admin: Any) -> None:
    version = make_micro_credential(helsinki, helsinki_admin, title="Privacy at work", outcomes=[
        outcome("apply data protection law to customer data", SKILL_DATA_PROTECTION)], offerings=[
        {"mode": "online", "start_date": days(20), "end_date": days(40)}])
    make_tentative(version, helsinki_admin)
    api = ApiClient(make_token(employer_member, employer))
    created = api.post("/manage/needs", {**NEED, "needed_by": days(60), "budget_per_person": "500.00"})
    assert created.status_code == 201, created.content
    need = created.json()
    assert need["region"] == {"code": "01", "name": {"fi": "Uusimaa", "sv": "Nyland", "en": "Uusimaa"}}
    assert need["skills"][0]["uri"] == SKILL_DATA_PROTECTION and need["budget_per_person"] == "500.00"

    (match,) = api.get(f"/manage/needs/{need['id']}/matches").json()
    assert match["code"] == version.micro_credential.code and 0 < match["score"] <= 100
    assert match["covered"][0]["skill"]["uri"] == SKILL_DATA_PROTECTION
    assert match["covered"][0]["outcomes"][0]["en"] == "apply data protection law to customer data"
    assert {w["word"] for w in match["words"]} >= {"customer", "data"}
    best = match["best_offering"]
    assert {f["criterion"]: f["level"] for f in best["fits"]} == {
        "region": "fits", "timing": "fits", "budget": "fits", "seats": "fits"}
    assert best["pooling"]["state"] == "scheduled"
    (tentative,) = match["other_offerings"]
    assert tentative["pooling"] == {"state": "tentative", "minimum": 3, "committed": 0, "pledged": 0,
                                    "places_left": 10, "decision_date": days(10)}


def test_needs_are_listed_changed_and_closed(employer: Any, employer_admin: Any) -> None:
    api = ApiClient(make_token(employer_admin, employer))
    need_id = api.post("/manage/needs", NEED).json()["id"]
    changed = api.patch(f"/manage/needs/{need_id}", {"people": 9, "skills": [SKILL_PROJECT_MANAGEMENT]})
    assert changed.status_code == 200 and changed.json()["people"] == 9
    assert [s["uri"] for s in changed.json()["skills"]] == [SKILL_PROJECT_MANAGEMENT]
    assert api.post(f"/manage/needs/{need_id}/close").json()["state"] == "closed"
    assert_error(api.patch(f"/manage/needs/{need_id}", {"people": 3}), 409, "need_closed")
    listing = api.get("/manage/needs", {"state": "closed"}).json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == need_id
    assert api.get("/manage/needs", {"state": "open"}).json()["count"] == 0


def test_input_errors_name_the_field(employer: Any, employer_admin: Any) -> None:
    api = ApiClient(make_token(employer_admin, employer))
    error = assert_error(api.post("/manage/needs", {**NEED, "region": "99", "people": 0, "colour": "red"}), 422,
                         "invalid_input")
    assert set(error["details"]) == {"body.region", "body.people", "body.colour"}
    unknown = assert_error(api.post("/manage/needs", {**NEED, "skills": ["http://nope"]}), 422, "invalid_input")
    assert unknown["details"] == {"body.skills": ["Unknown ESCO skill http://nope."]}
    past = assert_error(api.post("/manage/needs", {**NEED, "needed_by": "2024-01-01"}), 422)
    assert past["details"] == {"body.needed_by": ["The date cannot be in the past."]}
    assert not SkillNeed.objects.exists()


def test_another_employers_need_is_not_found(employer: Any, employer_admin: Any, other_employer: Any,
                                             other_employer_admin: Any) -> None:
    need = make_need(employer, employer_admin)
    outsider = ApiClient(make_token(other_employer_admin, other_employer))
    for response in (outsider.get(f"/manage/needs/{need.pk}"), outsider.get(f"/manage/needs/{need.pk}/matches"),
                     outsider.patch(f"/manage/needs/{need.pk}", {"people": 1}),
                     outsider.post(f"/manage/needs/{need.pk}/close")):
        assert_error(response, 404, "not_found")
    assert outsider.get("/manage/needs").json()["count"] == 0
    need.refresh_from_db()
    assert need.people == 5 and need.is_open


def test_tokens_of_the_wrong_kind_are_refused(employer: Any, employer_admin: Any, helsinki: Any,
                                              helsinki_admin: Any) -> None:
    provider_api = ApiClient(make_token(helsinki_admin, helsinki))
    assert_error(provider_api.get("/manage/needs"), 403, "permission_denied")
    employer_api = ApiClient(make_token(employer_admin, employer))
    assert_error(employer_api.get("/manage/demand-board"), 403, "permission_denied")
    assert_error(ApiClient().get("/manage/needs"), 401, "authentication_required")


def test_providers_read_the_demand_board_without_hidden_names(employer: Any, employer_admin: Any,
                                                              other_employer: Any, other_employer_admin: Any,
                                                              helsinki: Any, helsinki_designer: Any) -> None:
    make_need(employer, employer_admin, title="Hidden", show_name=False, people=4)
    make_need(other_employer, other_employer_admin, title="Shown", show_name=True, people=3,
              skills=[SKILL_DATA_PROTECTION, SKILL_PROJECT_MANAGEMENT])
    board = ApiClient(make_token(helsinki_designer, helsinki)).get("/manage/demand-board").json()
    assert (board["needs"], board["people"]) == (2, 7)
    groups = {group["label"]: group for group in board["by_skill"]}
    assert (groups["data protection"]["people"], groups["data protection"]["coverage"]) == (7, "not_covered")
    employers = {entry["title"]: entry["employer"] for entry in groups["data protection"]["entries"]}
    assert employers == {"Hidden": None, "Shown": "Sahatehdas Oy"}
    assert [group["key"] for group in board["by_region"]] == ["01"]
