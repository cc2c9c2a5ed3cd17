"""The public read API: providers, published micro-credentials and offerings — and never drafts.

The catalog (built through the real services):

| code  | owner    | co-provider | ECTS | EQF | ISCED-F | languages | upcoming offerings                                    |
|-------|----------|-------------|------|-----|---------|-----------|-------------------------------------------------------|
| A     | helsinki |             | 5    | 6   | 0421    | fi, en    | online, free, +30 d (fi); plus a draft v2 not public  |
| B     | aalto    | helsinki    | 10   | 7   | 0613    | en        | on-site, 250 €, +60 d (en)                            |
| C     | helsinki |             | 2    | 5   | 0421    | sv        | online, 90 €, +10 d (sv); blended, free, +120 d (sv)  |
| R     | aalto    |             | 5    | 6   | 0613    | fi        | none: one ended, one cancelled; published twice (v2)  |

Never public: DRAFT (a draft), REVIEW (in review), RETIRED (published, then retired, with an offering).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from osaamo.catalog.services import (
    micro_credential_create,
    offering_cancel,
    offering_create,
    version_edit_or_new,
    version_publish,
    version_retire,
    version_submit,
    version_update,
)
from tests.api.conftest import ApiClient, assert_error, make_token
from tests.factories import SKILL_DATA_PROTECTION, design_data, make_provider, make_published, offering_data

PUBLIC_CODES = {"A", "B", "C", "R"}


def _days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def _offering(version: Any, by: Any, *, start: int, mode: str = "online", language: str = "fi",
              price: str = "0.00") -> Any:
    return offering_create(version=version, by=by, data=offering_data(
        start_date=_days(start), end_date=_days(start + 30), mode=mode, language=language,
        price_individual=Decimal(price),
        enrolment_opens=timezone.now() - timedelta(days=400), enrolment_closes=timezone.now() + timedelta(days=1),
    ))


def _title(text: str) -> dict[str, str]:
    return {"fi": f"{text} (fi)", "sv": f"{text} (sv)", "en": f"{text} (en)"}


@pytest.fixture
def catalog(helsinki: Any, aalto: Any, helsinki_admin: Any, aalto_admin: Any) -> SimpleNamespace:
    a = make_published(helsinki, helsinki_admin, code="A", offering=False, title=_title("Alpha"))
    _offering(a, helsinki_admin, start=30, mode="online", language="fi", price="0.00")
    a_draft = version_edit_or_new(micro_credential=a.micro_credential, by=helsinki_admin)
    version_update(version=a_draft, by=helsinki_admin, data={"title": _title("Alpha unpublished draft")})

    b = make_published(aalto, aalto_admin, code="B", offering=False, title=_title("Beta"), ects="10",
                       hours=270, eqf_level=7, qf_ehea_cycle="second", isced_f="0613", languages=["en"],
                       co_providers=["helsinki"])
    _offering(b, aalto_admin, start=60, mode="onsite", language="en", price="250.00")

    c = make_published(helsinki, helsinki_admin, code="C", offering=False, title=_title("Gamma"), ects="2",
                       hours=54, eqf_level=5, qf_ehea_cycle="short", languages=["sv"])
    _offering(c, helsinki_admin, start=10, mode="online", language="sv", price="90.00")
    _offering(c, helsinki_admin, start=120, mode="blended", language="sv", price="0.00")

    r1 = make_published(aalto, aalto_admin, code="R", offering=False, title=_title("Rho first"),
                        isced_f="0613", languages=["fi"])
    ended = _offering(r1, aalto_admin, start=-60, mode="onsite")
    r2 = version_edit_or_new(micro_credential=r1.micro_credential, by=aalto_admin)
    version_update(version=r2, by=aalto_admin, data={"title": _title("Rho second")})
    r2 = version_publish(version=r2, by=aalto_admin)
    cancelled = _offering(r2, aalto_admin, start=20, mode="onsite")
    offering_cancel(offering=cancelled, by=aalto_admin)

    draft = micro_credential_create(provider=helsinki, by=helsinki_admin, code="DRAFT",
                                    data=design_data(title=_title("Secret draft")))
    review = micro_credential_create(provider=helsinki, by=helsinki_admin, code="REVIEW",
                                     data=design_data(title=_title("Secret review")))
    version_submit(version=review, by=helsinki_admin)
    retired = make_published(helsinki, helsinki_admin, code="RETIRED", offering=False, title=_title("Retired"))
    retired_offering = _offering(retired, helsinki_admin, start=15)
    version_retire(version=retired, by=helsinki_admin)
    return SimpleNamespace(a=a, b=b, c=c, r1=r1, r2=r2, ended=ended, cancelled=cancelled, draft=draft,
                           review=review, retired=retired, retired_offering=retired_offering)


def codes(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["code"] for item in response.json()["items"]}


# --- providers ------------------------------------------------------------------------------------


def test_providers_list_the_universities_with_their_public_details(anonymous: ApiClient, helsinki: Any,
                                                                     aalto: Any, employer: Any) -> None:
    helsinki.institution_code, helsinki.homepage = "01901", "https://www.helsinki.fi/"
    helsinki.save()
    body = anonymous.get("/providers").json()
    assert body["count"] == 2
    assert [p["slug"] for p in body["items"]] == ["aalto", "helsinki"]  # never the employer
    one = anonymous.get("/providers/helsinki").json()
    assert one["name"] == {"fi": "Helsingin yliopisto", "sv": "Helsingfors universitet", "en": "University of Helsinki"}
    assert (one["country"], one["city"], one["homepage"], one["institution_code"]) == (
        "FI", "Helsinki", "https://www.helsinki.fi/", "01901")
    assert_error(anonymous.get("/providers/konepaja"), 404, "not_found")
    assert_error(anonymous.get("/providers/nobody"), 404, "not_found")


def test_an_inactive_provider_is_not_listed(anonymous: ApiClient, helsinki: Any, aalto: Any) -> None:
    aalto.is_active = False
    aalto.save()
    assert [p["slug"] for p in anonymous.get("/providers").json()["items"]] == ["helsinki"]
    assert_error(anonymous.get("/providers/aalto"), 404)


# --- micro-credentials: published only ------------------------------------------------------------


def test_the_list_holds_the_current_published_version_of_each_and_never_a_draft(
        anonymous: ApiClient, catalog: Any) -> None:
    body = anonymous.get("/micro-credentials", {"page_size": 100}).json()
    assert body["count"] == len(PUBLIC_CODES)
    by_code = {item["code"]: item for item in body["items"]}
    assert set(by_code) == PUBLIC_CODES
    # A has a newer draft: the public still sees the published version 1.
    assert by_code["A"]["title"]["en"] == "Alpha (en)" and by_code["A"]["version"] == 1
    # R was published twice: only version 2 is current.
    assert by_code["R"]["title"]["en"] == "Rho second (en)" and by_code["R"]["version"] == 2
    assert "Secret" not in str(body) and "unpublished" not in str(body)


def test_a_micro_credential_that_is_not_published_is_not_found(anonymous: ApiClient, catalog: Any) -> None:
    for code in ("DRAFT", "REVIEW", "RETIRED"):
        assert_error(anonymous.get(f"/micro-credentials/helsinki/{code.lower()}"), 404, "not_found")


def test_one_micro_credential_carries_every_element(anonymous: ApiClient, catalog: Any) -> None:
    body = anonymous.get("/micro-credentials/aalto/b").json()
    assert (body["id"], body["code"], body["slug"], body["version"]) == (catalog.b.micro_credential_id, "B", "b", 1)
    assert body["published_at"].startswith(catalog.b.published_at.date().isoformat())
    assert body["provider"]["slug"] == body["awarding_body"]["slug"] == "aalto"
    assert body["country"] == "FI"
    assert [p["slug"] for p in body["co_providers"]] == ["helsinki"]
    assert body["co_providers"][0]["name"]["sv"] == "Helsingfors universitet"
    assert body["title"] == _title("Beta")
    expected = design_data()
    for name in ("description", "target_group", "prerequisites", "assessment_description",
                 "quality_assurance_description"):
        assert {k: v for k, v in body[name].items() if v} == expected[name], name
    assert (body["ects"], body["hours"], body["eqf_level"]) == (10.0, 270, 7)
    assert body["qf_ehea_cycle"]["code"] == "second"
    assert body["isced_f"]["code"] == "0613" and body["isced_f"]["uri"].endswith("/isced-f/0613")
    assert body["languages"] == ["en"]
    coded = {name: body[name]["code"] for name in ("assessment_type", "participation_form", "quality_assurance",
                                                   "identity_verification", "stackability", "grading_scale")}
    assert coded == {name: expected[name] for name in coded}
    assert set(body["assessment_type"]["label"]) == {"fi", "sv", "en"}
    outcomes = body["learning_outcomes"]
    assert [o["text"] for o in outcomes] == [o["text"] for o in expected["learning_outcomes"]]
    assert [[s["uri"] for s in o["skills"]] for o in outcomes] == [o["skills"] for o in expected["learning_outcomes"]]
    assert outcomes[0]["skills"][0]["uri"] == SKILL_DATA_PROTECTION
    assert [(o["mode"]["code"], o["price_individual"]) for o in body["upcoming_offerings"]] == [("onsite", "250.00")]


def test_upcoming_offerings_leave_out_ended_and_cancelled_runs(anonymous: ApiClient, catalog: Any) -> None:
    assert anonymous.get("/micro-credentials/aalto/r").json()["upcoming_offerings"] == []
    starts = [o["start_date"] for o in anonymous.get("/micro-credentials/helsinki/c").json()["upcoming_offerings"]]
    assert starts == [_days(10), _days(120)]


# --- micro-credentials: every filter --------------------------------------------------------------


CATALOG_FILTER_CASES: list[tuple[dict[str, Any], set[str]]] = [
    ({"q": "gamma"}, {"C"}),
    ({"q": "ALPHA (fi)"}, {"A"}),
    ({"q": "unpublished"}, set()),  # the text of A's draft is not searchable
    ({"ects_min": "5"}, {"A", "B", "R"}),
    ({"ects_max": "5"}, {"A", "C", "R"}),
    ({"ects_min": "3", "ects_max": "9.5"}, {"A", "R"}),
    ({"eqf_level": "7"}, {"B"}),
    ({"eqf_level": ["5", "7"]}, {"B", "C"}),
    ({"isced": "0613"}, {"B", "R"}),
    ({"isced": "04"}, {"A", "C"}),  # a broad field matches everything under it
    ({"language": "sv"}, {"C"}),
    ({"language": "en"}, {"A", "B"}),
    ({"mode": "blended"}, {"C"}),
    ({"mode": "onsite"}, {"B"}),  # R's on-site runs ended or were cancelled
    ({"provider": "helsinki"}, {"A", "B", "C"}),  # B is co-provided by Helsinki
    ({"provider": "aalto"}, {"B", "R"}),
    ({"price": "free"}, {"A", "C"}),
    ({"price": "paid"}, {"B", "C"}),
    ({"starts_after": _days(50)}, {"B", "C"}),
    ({"mode": "online", "price": "free"}, {"A"}),  # one and the same offering must be both
    ({"provider": "helsinki", "eqf_level": "6"}, {"A"}),
    ({"isced": "", "mode": "", "provider": ""}, PUBLIC_CODES),  # empty values are no filter
]


def test_every_catalog_filter(anonymous: ApiClient, catalog: Any) -> None:
    # One catalog, every case (building the catalog is the slow part); each mismatch is reported.
    wrong = []
    for params, expected in CATALOG_FILTER_CASES:
        response = anonymous.get("/micro-credentials", params)
        if codes(response) != expected or response.json()["count"] != len(expected):
            wrong.append((params, expected, codes(response)))
    assert wrong == []


def test_pagination_walks_every_item_once(anonymous: ApiClient, catalog: Any) -> None:
    seen: list[str] = []
    address: str | None = "/api/v1/micro-credentials?page_size=3"
    pages = 0
    while address:
        body = anonymous.get(address.replace("http://testserver", "")).json()
        assert body["count"] == len(PUBLIC_CODES)
        assert len(body["items"]) <= 3
        seen.extend(item["code"] for item in body["items"])
        assert (body["previous"] is None) == (pages == 0)
        address, pages = body["next"], pages + 1
    assert pages == 2 and sorted(seen) == sorted(PUBLIC_CODES)


def test_pagination_keeps_the_filters_in_its_links(anonymous: ApiClient, catalog: Any) -> None:
    body = anonymous.get("/micro-credentials", {"provider": "helsinki", "page_size": 1, "page": 2}).json()
    assert body["count"] == 3 and len(body["items"]) == 1
    assert "provider=helsinki" in body["next"] and "page=3" in body["next"]
    assert "provider=helsinki" in body["previous"] and "page=1" in body["previous"]


def test_a_page_past_the_end_is_empty_and_points_back_to_the_last(anonymous: ApiClient, catalog: Any) -> None:
    body = anonymous.get("/micro-credentials", {"page_size": 3, "page": 9}).json()
    assert body["items"] == [] and body["next"] is None and "page=2" in body["previous"]


@pytest.mark.parametrize("params", [{"page_size": "101"}, {"page_size": "0"}, {"page": "0"},
                                    {"page_size": "10000000000000000000000"}, {"page": "-1"}, {"page": "x"}])
def test_page_sizes_and_numbers_are_bounded(anonymous: ApiClient, published: Any, params: dict[str, str]) -> None:
    for path in ("/micro-credentials", "/offerings", "/providers"):
        error = assert_error(anonymous.get(path, params), 422, "invalid_input")
        assert list(error["details"]) == [f"query.{next(iter(params))}"]


def _queries(client: ApiClient, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, {"page_size": 100})
    assert response.status_code == 200
    return len(context.captured_queries)


# The catalog list's first request after a change also builds the search snapshot (organisations,
# documents, offerings, vocabulary) besides its state, matches and page.
@pytest.mark.parametrize(("path", "most"), [("/micro-credentials", 9), ("/offerings", 2), ("/providers", 2),
                                            ("/manage/micro-credentials", 6), ("/manage/offerings", 5)])
def test_list_queries_do_not_grow_with_the_number_of_items(helsinki: Any, aalto: Any, helsinki_admin: Any,
                                                           path: str, most: int) -> None:
    client = ApiClient(make_token(helsinki_admin, helsinki)) if path.startswith("/manage/") else ApiClient()

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            version = make_published(helsinki, helsinki_admin, code=f"Q{i}", co_providers=["aalto"])
            _offering(version, helsinki_admin, start=5 + i)
            draft = version_edit_or_new(micro_credential=version.micro_credential, by=helsinki_admin)
            version_update(version=draft, by=helsinki_admin, data={"ects": "6"})
            make_provider(f"extra{i}", f"Lisä {i}", f"Extra {i}", f"Extra {i}")

    add(2, 0)
    few = _queries(client, path)
    add(6, 2)
    many = _queries(client, path)
    assert many == few, (few, many)
    assert many <= most


# --- offerings ------------------------------------------------------------------------------------


def offering_ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def _upcoming_ids(catalog: Any, *versions: Any) -> list[int]:
    return [o.pk for v in versions for o in v.offerings.order_by("start_date") if o.state == "scheduled"]


def test_offerings_list_only_upcoming_runs_of_published_versions(anonymous: ApiClient, catalog: Any) -> None:
    items = anonymous.get("/offerings").json()["items"]
    # Soonest first: C +10, A +30, B +60, C +120. Not R's ended or cancelled runs, not the retired one's.
    assert [(i["micro_credential"]["code"], i["start_date"]) for i in items] == [
        ("C", _days(10)), ("A", _days(30)), ("B", _days(60)), ("C", _days(120))]
    first = items[0]
    assert first["state"] == "scheduled" and first["language"] == "sv" and first["price_individual"] == "90.00"
    assert first["price_organisation"] == "450.00" and first["seats"] == 30 and first["min_participants"] == 5
    assert first["micro_credential"]["provider"]["slug"] == "helsinki"
    assert first["micro_credential"]["title"] == _title("Gamma")


OFFERING_FILTER_CASES: list[tuple[dict[str, Any], list[tuple[str, int]]]] = [
    ({"provider": "aalto"}, [("B", 60)]),
    ({"provider": "helsinki"}, [("C", 10), ("A", 30), ("B", 60), ("C", 120)]),  # co-provided B too
    ({"mode": "blended"}, [("C", 120)]),
    ({"language": "fi"}, [("A", 30)]),
    ({"price": "free"}, [("A", 30), ("C", 120)]),
    ({"price": "paid"}, [("C", 10), ("B", 60)]),
    ({"starts_after": _days(31)}, [("B", 60), ("C", 120)]),
    ({"mode": "online", "price": "paid"}, [("C", 10)]),
    ({"mode": "", "provider": "", "starts_after": ""}, [("C", 10), ("A", 30), ("B", 60), ("C", 120)]),
]


def test_every_offering_filter(anonymous: ApiClient, catalog: Any) -> None:
    wrong = []
    for params, expected in OFFERING_FILTER_CASES:
        response = anonymous.get("/offerings", params)
        assert response.status_code == 200, (params, response.content)
        found = [(i["micro_credential"]["code"], i["start_date"]) for i in response.json()["items"]]
        if found != [(code, _days(days)) for code, days in expected]:
            wrong.append((params, expected, found))
    assert wrong == []


def test_offerings_filtered_by_micro_credential(anonymous: ApiClient, catalog: Any) -> None:
    items = anonymous.get("/offerings", {"micro_credential": catalog.c.micro_credential_id}).json()["items"]
    assert [i["start_date"] for i in items] == [_days(10), _days(120)]
    assert anonymous.get("/offerings", {"micro_credential": catalog.draft.micro_credential_id}).json()["count"] == 0


def test_one_offering_also_when_cancelled_but_never_of_a_version_that_is_not_public(
        anonymous: ApiClient, catalog: Any) -> None:
    cancelled = anonymous.get(f"/offerings/{catalog.cancelled.pk}").json()
    assert cancelled["state"] == "cancelled" and cancelled["micro_credential"]["version"] == 2
    assert_error(anonymous.get(f"/offerings/{catalog.retired_offering.pk}"), 404, "not_found")
    assert_error(anonymous.get(f"/offerings/{catalog.ended.pk}"), 404)  # its version 1 was superseded
    assert_error(anonymous.get("/offerings/999999"), 404)
