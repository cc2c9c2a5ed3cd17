"""Provider staff through the API: tokens, tenancy, roles, design, the framework's findings, offerings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from osaamo.accounts.models import Membership
from osaamo.accounts.services import api_token_create, api_token_revoke, membership_revoke
from osaamo.audit.models import AuditEntry
from osaamo.catalog.models import LearningOutcome, MicroCredential, MicroCredentialVersion, Offering
from osaamo.catalog.services import micro_credential_create, offering_create
from tests.api.conftest import ApiClient, assert_error, make_token
from tests.factories import SKILL_GDPR, design_data, make_published, offering_data


def database_state() -> tuple[Any, ...]:
    """Everything a refused write could have touched."""
    return (
        list(MicroCredential.objects.order_by("pk").values()),
        list(MicroCredentialVersion.objects.order_by("pk").values()),
        list(MicroCredentialVersion.co_providers.through.objects.order_by("pk").values()),
        list(LearningOutcome.objects.order_by("pk").values()),
        list(Offering.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def helsinki_draft(helsinki: Any, helsinki_designer: Any) -> MicroCredentialVersion:
    return micro_credential_create(provider=helsinki, by=helsinki_designer, code="HY-DRAFT",
                                   data=design_data(title={"fi": "Luonnos", "en": "Draft"}))


# --- authentication -------------------------------------------------------------------------------


def test_the_token_says_who_it_acts_as(helsinki_designer_api: ApiClient) -> None:
    body = helsinki_designer_api.get("/token").json()
    assert body["email"] == "dani.designer@helsinki.example"
    assert body["organisation"]["slug"] == "helsinki" and body["organisation"]["kind"] == "provider"
    assert body["roles"] == ["designer"] and body["name"] == "test"
    assert helsinki_designer_api.token is not None and helsinki_designer_api.token.startswith(body["prefix"])


@pytest.mark.parametrize(("authorization", "code"), [
    (None, "authentication_required"),
    ("Bearer osm_not-a-real-token", "invalid_token"),
    ("Bearer nothing-like-a-token", "invalid_token"),
    ("Bearer ", "invalid_token"),
    ("Basic dXNlcjpwYXNz", "authentication_required"),
])
def test_writing_needs_a_live_token(helsinki: Any, authorization: str | None, code: str) -> None:
    client = ApiClient()
    headers = {"Authorization": authorization} if authorization else {}
    for method, path in [("GET", "/manage/micro-credentials"), ("POST", "/manage/micro-credentials"),
                         ("GET", "/token")]:
        response = client.send(method, path, {"code": "X"}, headers=headers)
        assert_error(response, 401, code)
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert MicroCredential.objects.count() == 0


def test_a_revoked_token_is_refused(helsinki: Any, helsinki_designer: Any, helsinki_draft: Any) -> None:
    token, raw = api_token_create(user=helsinki_designer, organisation=helsinki, name="ci")
    client = ApiClient(raw)
    assert client.get("/manage/micro-credentials").status_code == 200
    api_token_revoke(token=token, by=helsinki_designer)
    assert_error(client.get("/manage/micro-credentials"), 401, "invalid_token")
    before = database_state()
    assert_error(client.patch(f"/manage/micro-credentials/{helsinki_draft.micro_credential_id}",
                              {"ects": "7"}), 401, "invalid_token")
    assert database_state() == before


def test_a_token_whose_owner_left_the_provider_is_refused(helsinki: Any, helsinki_designer: Any) -> None:
    client = ApiClient(make_token(helsinki_designer, helsinki))
    membership_revoke(membership=Membership.objects.get(user=helsinki_designer), by=None)
    assert_error(client.get("/manage/micro-credentials"), 403, "permission_denied")
    assert_error(client.post("/manage/micro-credentials", {"code": "X"}), 403, "permission_denied")
    assert MicroCredential.objects.count() == 0


def test_an_employer_token_cannot_manage_a_catalog(employer: Any) -> None:
    from tests.factories import make_user
    boss = make_user("boss@konepaja.example", "Boss", employer, "employer_admin")
    client = ApiClient(make_token(boss, employer))
    assert client.get("/token").json()["organisation"]["kind"] == "employer"
    assert_error(client.get("/manage/micro-credentials"), 403, "permission_denied")
    assert_error(client.post("/manage/micro-credentials", {"code": "X"}), 403, "permission_denied")


# --- tenancy --------------------------------------------------------------------------------------


def test_own_lists_hold_drafts_of_the_tokens_provider_only(
        helsinki_designer_api: ApiClient, aalto_designer_api: ApiClient, helsinki_draft: Any, aalto: Any,
        aalto_designer: Any) -> None:
    micro_credential_create(provider=aalto, by=aalto_designer, code="AALTO-1", data={})
    helsinki_items = helsinki_designer_api.get("/manage/micro-credentials").json()["items"]
    assert [(i["code"], [v["state"] for v in i["versions"]]) for i in helsinki_items] == [("HY-DRAFT", ["draft"])]
    assert helsinki_items[0]["title"]["en"] == "Draft"
    aalto_items = aalto_designer_api.get("/manage/micro-credentials").json()["items"]
    assert [i["code"] for i in aalto_items] == ["AALTO-1"]


def test_another_providers_drafts_are_not_found_exactly_like_nothing(
        helsinki_designer_api: ApiClient, aalto_admin_api: ApiClient, helsinki_draft: Any) -> None:
    mine = helsinki_designer_api.get(f"/manage/versions/{helsinki_draft.pk}").json()
    assert mine["state"] == "draft" and mine["title"]["fi"] == "Luonnos"
    missing = 10**9
    pairs = [
        (f"/manage/versions/{helsinki_draft.pk}", f"/manage/versions/{missing}"),
        (f"/manage/versions/{helsinki_draft.pk}/findings", f"/manage/versions/{missing}/findings"),
        (f"/manage/micro-credentials/{helsinki_draft.micro_credential_id}", f"/manage/micro-credentials/{missing}"),
    ]
    for theirs, nothing in pairs:
        refused = aalto_admin_api.get(theirs)
        assert_error(refused, 404, "not_found")
        assert refused.json() == aalto_admin_api.get(nothing).json()


def test_writes_on_another_providers_micro_credential_change_nothing(
        aalto_admin_api: ApiClient, helsinki: Any, helsinki_admin: Any, helsinki_draft: Any) -> None:
    published = make_published(helsinki, helsinki_admin, code="HY-PUB")
    offering = published.offerings.get()
    before = database_state()
    writes = [
        ("PATCH", f"/manage/micro-credentials/{helsinki_draft.micro_credential_id}", {"title": {"en": "Mine"}}),
        ("PATCH", f"/manage/micro-credentials/{published.micro_credential_id}", {"ects": "3"}),
        ("POST", f"/manage/versions/{helsinki_draft.pk}/submit", None),
        ("POST", f"/manage/versions/{helsinki_draft.pk}/publish", None),
        ("POST", f"/manage/versions/{published.pk}/offerings", offering_data(
            price_individual="0", price_organisation=None)),
        ("PATCH", f"/manage/offerings/{offering.pk}", {"seats": 1}),
        ("POST", f"/manage/offerings/{offering.pk}/cancel", {"reason": "mine now"}),
    ]
    for method, path, body in writes:
        assert_error(aalto_admin_api.send(method, path, body), 404, "not_found")
    assert database_state() == before


# --- roles ----------------------------------------------------------------------------------------


def test_a_designer_designs_and_submits_but_cannot_publish(helsinki_designer_api: ApiClient) -> None:
    created = helsinki_designer_api.post("/manage/micro-credentials", {"code": "HY-1", **design_data()})
    assert created.status_code == 201, created.content
    version = created.json()
    assert (version["state"], version["number"], version["code"]) == ("draft", 1, "HY-1")
    submitted = helsinki_designer_api.post(f"/manage/versions/{version['id']}/submit")
    assert submitted.json()["state"] == "in_review"
    before = database_state()
    assert_error(helsinki_designer_api.post(f"/manage/versions/{version['id']}/publish"), 403, "permission_denied")
    assert database_state() == before
    assert MicroCredentialVersion.objects.get(pk=version["id"]).state == "in_review"


def test_a_registrar_reads_but_cannot_design(helsinki_registrar_api: ApiClient, helsinki_draft: Any) -> None:
    assert [i["code"] for i in helsinki_registrar_api.get("/manage/micro-credentials").json()["items"]] == [
        "HY-DRAFT"]
    before = database_state()
    for method, path, body in [
        ("POST", "/manage/micro-credentials", {"code": "HY-2"}),
        ("PATCH", f"/manage/micro-credentials/{helsinki_draft.micro_credential_id}", {"ects": "3"}),
        ("POST", f"/manage/versions/{helsinki_draft.pk}/submit", None),
        ("POST", f"/manage/versions/{helsinki_draft.pk}/publish", None),
    ]:
        assert_error(helsinki_registrar_api.send(method, path, body), 403, "permission_denied")
    assert database_state() == before


# --- design ---------------------------------------------------------------------------------------


def test_creating_records_who_did_it(helsinki_designer_api: ApiClient, helsinki_designer: Any) -> None:
    response = helsinki_designer_api.post("/manage/micro-credentials", {
        "code": "HY-NEW", "title": {"fi": "Uusi", "en": "New"}, "ects": 5, "languages": ["fi"]})
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == {"fi": "Uusi", "sv": None, "en": "New"} and body["ects"] == 5.0
    version = MicroCredentialVersion.objects.get(pk=body["id"])
    assert version.micro_credential.provider.slug == "helsinki" and version.created_by == helsinki_designer
    entry = AuditEntry.objects.get(action="micro_credential.created")
    assert entry.actor == helsinki_designer and entry.organisation_id == version.micro_credential.provider_id


def test_a_code_is_unique_within_the_provider(helsinki_designer_api: ApiClient, helsinki_draft: Any) -> None:
    error = assert_error(helsinki_designer_api.post("/manage/micro-credentials", {"code": "HY-DRAFT"}), 409,
                         "code_taken")
    assert error["details"] is None
    assert MicroCredential.objects.count() == 1


def test_patch_changes_only_what_is_sent_and_merges_text_per_language(
        helsinki_designer_api: ApiClient, helsinki_draft: Any) -> None:
    path = f"/manage/micro-credentials/{helsinki_draft.micro_credential_id}"
    response = helsinki_designer_api.patch(path, {
        "title": {"en": "Draft, renamed", "fi": None, "sv": "Utkast"},
        "learning_outcomes": [{"text": {"en": "apply the GDPR"}, "skills": [SKILL_GDPR]}],
        "eqf_level": 7, "qf_ehea_cycle": "second",
    })
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == helsinki_draft.pk and body["number"] == 1
    assert body["title"] == {"fi": None, "sv": "Utkast", "en": "Draft, renamed"}
    assert [o["text"]["en"] for o in body["learning_outcomes"]] == ["apply the GDPR"]
    assert body["learning_outcomes"][0]["skills"][0]["uri"] == SKILL_GDPR
    assert body["eqf_level"] == 7 and body["qf_ehea_cycle"]["code"] == "second"
    # Untouched: everything else.
    assert body["description"]["en"] == design_data()["description"]["en"]
    assert body["ects"] == 5.0 and body["languages"] == ["fi", "en"]
    helsinki_draft.refresh_from_db()
    assert helsinki_draft.title == {"sv": "Utkast", "en": "Draft, renamed"}


def test_patch_with_null_clears_a_field(helsinki_designer_api: ApiClient, helsinki_draft: Any) -> None:
    body = helsinki_designer_api.patch(f"/manage/micro-credentials/{helsinki_draft.micro_credential_id}",
                                       {"ects": None, "prerequisites": None}).json()
    assert body["ects"] is None and body["prerequisites"] == {"fi": None, "sv": None, "en": None}


def test_editing_a_published_micro_credential_starts_a_new_version(
        helsinki_designer_api: ApiClient, anonymous: ApiClient, helsinki: Any, helsinki_admin: Any) -> None:
    published = make_published(helsinki, helsinki_admin, code="HY-PUB")
    path = f"/manage/micro-credentials/{published.micro_credential_id}"
    first = helsinki_designer_api.patch(path, {"title": {"en": "Second edition"}}).json()
    assert (first["number"], first["state"]) == (2, "draft") and first["id"] != published.pk
    again = helsinki_designer_api.patch(path, {"ects": "6"}).json()
    assert again["id"] == first["id"] and again["title"]["en"] == "Second edition" and again["ects"] == 6.0
    public = anonymous.get("/micro-credentials/helsinki/hy-pub").json()
    assert (public["version"], public["title"]["en"], public["ects"]) == (1, "Data protection in practice", 5.0)
    versions = helsinki_designer_api.get(path).json()["versions"]
    assert [(v["number"], v["state"]) for v in versions] == [(2, "draft"), (1, "published")]


def test_a_refused_edit_of_a_published_one_leaves_no_new_version(
        helsinki_designer_api: ApiClient, helsinki: Any, helsinki_admin: Any) -> None:
    published = make_published(helsinki, helsinki_admin, code="HY-PUB")
    before = database_state()
    error = assert_error(helsinki_designer_api.patch(
        f"/manage/micro-credentials/{published.micro_credential_id}",
        {"isced_f": "1234", "co_providers": ["nobody"]}), 422, "invalid_input")
    assert set(error["details"]) == {"body.isced_f", "body.co_providers"}
    assert database_state() == before


def test_findings_explain_what_is_missing_in_every_language(helsinki_designer_api: ApiClient,
                                                            helsinki: Any, helsinki_designer: Any) -> None:
    version = micro_credential_create(provider=helsinki, by=helsinki_designer, code="HY-EMPTY",
                                      data={"title": {"fi": "Tyhjä", "en": "Empty"}, "ects": "80"})
    body = helsinki_designer_api.get(f"/manage/versions/{version.pk}/findings").json()
    assert body["version_id"] == version.pk and body["can_publish"] is False
    by_code = {f["code"]: f for f in body["findings"]}
    assert {"ects.out_of_range", "learning_outcomes.missing", "assessment_type.missing"} <= set(by_code)
    ects = by_code["ects.out_of_range"]
    assert (ects["severity"], ects["field"]) == ("error", "ects")
    assert "Annex I" in ects["rule"] or "EHEA" in ects["rule"]
    assert set(ects["messages"]) == {"fi", "sv", "en"} and all(ects["messages"].values())
    assert ects["message"] == ects["messages"]["en"]
    in_finnish = helsinki_designer_api.get(f"/manage/versions/{version.pk}/findings", {"lang": "fi"}).json()
    fi = {f["code"]: f for f in in_finnish["findings"]}["ects.out_of_range"]
    assert fi["message"] == fi["messages"]["fi"] == ects["messages"]["fi"]
    in_swedish = helsinki_designer_api.get(f"/manage/versions/{version.pk}/findings",
                                           headers={"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.5"}).json()
    assert {f["code"]: f for f in in_swedish["findings"]}["ects.out_of_range"]["message"] == ects["messages"]["sv"]


def test_publishing_is_refused_with_the_findings_until_every_error_is_fixed(
        helsinki_admin_api: ApiClient, anonymous: ApiClient) -> None:
    created = helsinki_admin_api.post("/manage/micro-credentials", {
        "code": "HY-FIX", **design_data(ects="80", assessment_type=None)}).json()
    before = database_state()
    error = assert_error(helsinki_admin_api.post(f"/manage/versions/{created['id']}/publish"), 409,
                         "publish_refused")
    codes = {f["code"] for f in error["details"] if f["severity"] == "error"}
    assert codes == {"ects.out_of_range", "assessment_type.missing"}
    assert all(set(f) == {"code", "severity", "field", "rule", "message", "messages"} for f in error["details"])
    assert database_state() == before
    assert_error(anonymous.get("/micro-credentials/helsinki/hy-fix"), 404)
    assert_error(helsinki_admin_api.post(f"/manage/versions/{created['id']}/submit"), 409, "submit_refused")

    fixed = helsinki_admin_api.patch(f"/manage/micro-credentials/{created['micro_credential_id']}",
                                     {"ects": "5", "assessment_type": "project_work"}).json()
    assert fixed["id"] == created["id"]
    assert helsinki_admin_api.get(f"/manage/versions/{created['id']}/findings").json()["can_publish"] is True
    published = helsinki_admin_api.post(f"/manage/versions/{created['id']}/publish")
    assert published.status_code == 200, published.content
    assert published.json()["state"] == "published" and published.json()["published_at"]
    assert anonymous.get("/micro-credentials/helsinki/hy-fix").json()["version"] == 1
    assert_error(helsinki_admin_api.post(f"/manage/versions/{created['id']}/publish"), 409, "version_not_editable")
    assert_error(helsinki_admin_api.post(f"/manage/versions/{created['id']}/submit"), 409, "not_draft")


# --- offerings ------------------------------------------------------------------------------------


def _offering_body(**changes: Any) -> dict[str, Any]:
    today, now = timezone.localdate(), timezone.now()
    body = {
        "start_date": (today + timedelta(days=40)).isoformat(), "end_date": (today + timedelta(days=80)).isoformat(),
        "enrolment_opens": now.isoformat(), "enrolment_closes": (now + timedelta(days=30)).isoformat(),
        "mode": "blended", "language": "en", "place": {"fi": "Helsinki", "en": "Helsinki"}, "seats": 20,
        "min_participants": 8, "price_individual": "120.50", "price_organisation": 900,
    }
    body.update(changes)
    return body


def test_offerings_are_added_changed_and_cancelled(helsinki_designer_api: ApiClient, anonymous: ApiClient,
                                                   helsinki: Any, helsinki_admin: Any) -> None:
    published = make_published(helsinki, helsinki_admin, code="HY-PUB", offering=False)
    created = helsinki_designer_api.post(f"/manage/versions/{published.pk}/offerings", _offering_body())
    assert created.status_code == 201, created.content
    offering = created.json()
    assert (offering["state"], offering["mode"]["code"], offering["price_individual"], offering["seats"]) == (
        "scheduled", "blended", "120.50", 20)
    assert offering["price_organisation"] == "900.00" and offering["place"]["en"] == "Helsinki"
    assert anonymous.get(f"/offerings/{offering['id']}").json()["id"] == offering["id"]

    changed = helsinki_designer_api.patch(f"/manage/offerings/{offering['id']}", {"seats": 25, "language": "fi"})
    assert (changed.json()["seats"], changed.json()["language"], changed.json()["mode"]["code"]) == (25, "fi", "blended")

    error = assert_error(helsinki_designer_api.patch(f"/manage/offerings/{offering['id']}", {
        "end_date": (timezone.localdate() + timedelta(days=1)).isoformat()}), 422, "invalid_input")
    assert list(error["details"]) == ["body.end_date"]

    cancelled = helsinki_designer_api.post(f"/manage/offerings/{offering['id']}/cancel", {"reason": "too few"})
    assert cancelled.json()["state"] == "cancelled"
    assert AuditEntry.objects.get(action="offering.cancelled").data == {"reason": "too few"}
    assert anonymous.get("/offerings").json()["count"] == 0
    assert_error(helsinki_designer_api.patch(f"/manage/offerings/{offering['id']}", {"seats": 30}), 409,
                 "offering_cancelled")
    own = helsinki_designer_api.get("/manage/offerings").json()["items"]
    assert [(o["id"], o["state"]) for o in own] == [(offering["id"], "cancelled")]
    assert helsinki_designer_api.get(f"/manage/offerings/{offering['id']}").json()["state"] == "cancelled"


def test_cancelling_needs_no_body(helsinki_designer_api: ApiClient, helsinki: Any, helsinki_admin: Any) -> None:
    offering = make_published(helsinki, helsinki_admin, code="HY-PUB").offerings.get()
    assert helsinki_designer_api.post(f"/manage/offerings/{offering.pk}/cancel").json()["state"] == "cancelled"


def test_offerings_need_a_published_version(helsinki_designer_api: ApiClient, helsinki_draft: Any) -> None:
    before = database_state()
    assert_error(helsinki_designer_api.post(f"/manage/versions/{helsinki_draft.pk}/offerings", _offering_body()),
                 409, "not_published")
    assert database_state() == before


def test_a_registrar_cannot_add_offerings(helsinki_registrar_api: ApiClient, helsinki: Any,
                                          helsinki_admin: Any) -> None:
    published = make_published(helsinki, helsinki_admin, code="HY-PUB", offering=False)
    offering = offering_create(version=published, by=helsinki_admin, data=offering_data())
    before = database_state()
    assert_error(helsinki_registrar_api.post(f"/manage/versions/{published.pk}/offerings", _offering_body()),
                 403, "permission_denied")
    assert_error(helsinki_registrar_api.post(f"/manage/offerings/{offering.pk}/cancel"), 403)
    assert database_state() == before
