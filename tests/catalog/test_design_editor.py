"""The design tool's editor: list, create, edit, live findings, learning-outcome rows, skill picker, bad input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from osaamo.catalog.models import MicroCredential, VersionState
from osaamo.catalog.services import version_submit
from tests.catalog.test_design_support import (
    codes_in,
    design_url,
    findings_in,
    form_data,
    login,
    make_draft,
)
from tests.factories import SKILL_DATA_PROTECTION, SKILL_GDPR, design_data, make_published

# --- the list ------------------------------------------------------------------------------------------------

def test_list_shows_each_micro_credential_with_its_versions_states_and_finding_counts(
    client: Any, helsinki: Any, helsinki_admin: Any
) -> None:
    published = make_published(helsinki, helsinki_admin, code="HY-PUB", offering=False)
    make_draft(helsinki, helsinki_admin, code="HY-BROKEN", ects="60", hours=None)
    html = login(client, helsinki_admin).get(design_url("list", helsinki)).content.decode()
    assert "HY-PUB" in html and "HY-BROKEN" in html
    assert "Data protection in practice" in html
    assert "Published" in html and "Draft" in html
    assert "1 error" in html  # the 60 ECTS draft
    assert "0 errors" in html  # the published one
    assert f'href="{design_url("detail", helsinki, published.micro_credential_id)}"' in html
    assert f'href="{design_url("new", helsinki)}"' in html
    assert f'href="{design_url("clone", helsinki, published.pk)}"' in html


def test_list_needs_a_bounded_number_of_queries(client: Any, helsinki: Any, helsinki_admin: Any) -> None:
    login(client, helsinki_admin)
    make_draft(helsinki, helsinki_admin, code="Q-1")
    with CaptureQueriesContext(connection) as few:
        client.get(design_url("list", helsinki))
    for number in range(2, 7):
        make_draft(helsinki, helsinki_admin, code=f"Q-{number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(design_url("list", helsinki))
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_list_of_another_provider_is_not_shown(client: Any, helsinki: Any, aalto: Any, helsinki_admin: Any,
                                               aalto_admin: Any) -> None:
    make_draft(aalto, aalto_admin, code="AALTO-SECRET")
    html = login(client, helsinki_admin).get(design_url("list", helsinki)).content.decode()
    assert "AALTO-SECRET" not in html


# --- create ----------------------------------------------------------------------------------------------------

def test_the_new_form_has_every_field_with_trilingual_inputs_side_by_side(
    client: Any, helsinki: Any, aalto: Any, helsinki_designer: Any
) -> None:
    html = login(client, helsinki_designer).get(design_url("new", helsinki)).content.decode()
    for name in ("title", "description", "target_group", "prerequisites", "further_information",
                 "assessment_description", "quality_assurance_description", "stackability_description"):
        for language in ("fi", "sv", "en"):
            assert f'name="{name}_{language}"' in html
            assert f'id="id_{name}_{language}"' in html and f'for="id_{name}_{language}"' in html
    for name in ("code", "ects", "hours", "eqf_level", "qf_ehea_cycle", "isced_f", "assessment_type",
                 "grading_scale", "participation_form", "quality_assurance", "identity_verification",
                 "stackability"):
        assert f'name="{name}"' in html, name
    assert 'type="checkbox" name="languages" value="sv"' in html
    assert 'type="checkbox" name="co_providers" value="aalto"' in html  # another provider
    assert 'value="helsinki"' not in html  # not oneself
    assert '<optgroup label="04 Business, administration and law">' in html  # ISCED-F grouped
    assert 'name="outcomes-0-text_fi"' in html and 'lang="sv"' in html
    assert 'aria-live="polite"' in html


def test_creating_saves_every_field_and_opens_the_editor(client: Any, helsinki: Any, aalto: Any,
                                                         helsinki_designer: Any) -> None:
    data = form_data(design_data(co_providers=["aalto"]), code="HY-NEW-1")
    response = login(client, helsinki_designer).post(design_url("new", helsinki), data)
    micro_credential = MicroCredential.objects.get(provider=helsinki, code="HY-NEW-1")
    version = micro_credential.versions.get()
    assert response.status_code == 302
    assert response["Location"] == design_url("edit", helsinki, version.pk)
    assert version.state == VersionState.DRAFT
    assert version.title["sv"] == "Dataskydd i praktiskt arbete"
    assert version.ects == Decimal("5.0") and version.hours == 135 and version.eqf_level == 6
    assert version.cycle == "first" and version.isced_field_id == "0421" and version.languages == ["fi", "en"]
    assert version.identity_verification == "supervised_online_id"
    assert [o.text["en"] for o in version.outcomes.all()] == [
        "analyse the risks of processing personal data", "draft a privacy notice"]
    assert [s.uri for s in version.outcomes.all()[0].skills.all()] == [SKILL_DATA_PROTECTION]
    assert [p.slug for p in version.co_providers.all()] == ["aalto"]
    follow = client.get(response["Location"])
    assert "The micro-credential was created as a draft." in follow.content.decode()


def test_an_incomplete_draft_is_saved_and_its_findings_are_listed(client: Any, helsinki: Any,
                                                                   helsinki_designer: Any) -> None:
    data = form_data({"title": {"en": "Only a title"}}, code="HY-BARE")
    response = login(client, helsinki_designer).post(design_url("new", helsinki), data, follow=True)
    version = MicroCredential.objects.get(code="HY-BARE").versions.get()
    assert version.title == {"en": "Only a title"}
    codes = codes_in(response)
    assert {"ects.missing", "learning_outcomes.missing", "assessment_type.missing"} <= codes


def test_a_code_already_in_use_is_shown_on_the_code_field(client: Any, helsinki: Any,
                                                           helsinki_designer: Any) -> None:
    make_draft(helsinki, helsinki_designer, code="HY-TAKEN")
    response = login(client, helsinki_designer).post(design_url("new", helsinki),
                                                      form_data(code="HY-TAKEN"))
    assert response.status_code == 200
    assert "A micro-credential with this code already exists." in response.content.decode()
    assert MicroCredential.objects.filter(code="HY-TAKEN").count() == 1


def test_letters_in_ects_show_an_error_on_the_field_and_keep_everything_typed(
    client: Any, helsinki: Any, helsinki_designer: Any
) -> None:
    data = form_data(code="HY-TYPO", ects="five", hours="lots", title_en="My carefully typed title")
    response = login(client, helsinki_designer).post(design_url("new", helsinki), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not MicroCredential.objects.filter(code="HY-TYPO").exists()
    assert 'id="id_ects_error"' in html and "Enter a number, for example 5 or 2,5." in html
    assert 'aria-invalid="true"' in html
    assert 'value="five"' in html and 'value="lots"' in html
    assert 'value="My carefully typed title"' in html
    assert "analyse the risks of processing personal data" in html  # the outcome rows too
    assert "Nothing was saved yet" in html


@pytest.mark.parametrize(("field", "value"), [
    ("eqf_level", "9"), ("qf_ehea_cycle", "fourth"), ("isced_f", "5555"), ("assessment_type", "<script>"),
    ("languages", "xx"), ("co_providers", "no-such-university"), ("hours", "-3"), ("ects", "1e5"),
    ("ects", "2.55"), ("title_fi", "x" * 400),
])
def test_bad_values_get_a_clear_error_and_nothing_is_saved(client: Any, helsinki: Any, helsinki_designer: Any,
                                                           field: str, value: str) -> None:
    version = make_draft(helsinki, helsinki_designer)
    data = form_data()
    data[field] = [value] if isinstance(data.get(field), list) else value
    response = login(client, helsinki_designer).post(design_url("edit", helsinki, version.pk), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html or f'id="id_{field}_0_error"' in html or "errorlist" in html
    assert "<script>" not in html.split("</header>")[1]
    version.refresh_from_db()
    assert version.ects == Decimal("5.0") and version.title["fi"] == "Tietosuoja käytännön työssä"


def test_a_decimal_comma_is_accepted_for_ects(client: Any, helsinki: Any, helsinki_designer: Any) -> None:
    version = make_draft(helsinki, helsinki_designer)
    login(client, helsinki_designer).post(design_url("edit", helsinki, version.pk),
                                          form_data(ects="2,5", hours="68"))
    version.refresh_from_db()
    assert version.ects == Decimal("2.5")


# --- edit ------------------------------------------------------------------------------------------------------

def test_the_editor_shows_the_saved_version(client: Any, helsinki: Any, helsinki_designer: Any) -> None:
    version = make_draft(helsinki, helsinki_designer)
    html = login(client, helsinki_designer).get(design_url("edit", helsinki, version.pk)).content.decode()
    assert 'value="Dataskydd i praktiskt arbete"' in html
    assert 'name="ects" value="5"' in html
    assert "draft a privacy notice" in html
    assert f'value="{SKILL_GDPR}" checked' in html and ">GDPR<" in html
    assert '<option value="0421" selected>' in html


def test_saving_keeps_the_data_even_with_findings(client: Any, helsinki: Any, helsinki_designer: Any) -> None:
    version = make_draft(helsinki, helsinki_designer)
    response = login(client, helsinki_designer).post(
        design_url("edit", helsinki, version.pk), form_data(ects="60", hours=""), follow=True)
    version.refresh_from_db()
    assert version.ects == Decimal("60.0") and version.hours is None
    assert "Saved." in response.content.decode()
    finding = next(f for f in findings_in(response) if f["code"] == "ects.out_of_range")
    assert finding["severity"] == "error" and finding["anchor"] == "id_ects"
    assert "60" in finding["text"] and "Workload (ECTS credits)" in finding["text"]


def test_saving_a_version_in_review_returns_it_to_draft(client: Any, helsinki: Any, helsinki_designer: Any) -> None:
    version = version_submit(version=make_draft(helsinki, helsinki_designer), by=helsinki_designer)
    login(client, helsinki_designer).post(design_url("edit", helsinki, version.pk),
                                          form_data(title_en="Changed in review"))
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT and version.title["en"] == "Changed in review"


def test_a_published_version_never_changes_editing_makes_a_new_version(
    client: Any, helsinki: Any, helsinki_admin: Any
) -> None:
    published = make_published(helsinki, helsinki_admin, code="HY-P", offering=False)
    login(client, helsinki_admin)
    response = client.post(design_url("edit", helsinki, published.pk), form_data(title_en="Sneaky change"))
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.title["en"] == "Data protection in practice"

    response = client.post(design_url("start", helsinki, published.micro_credential_id))
    new = published.micro_credential.versions.get(number=2)
    assert response["Location"] == design_url("edit", helsinki, new.pk)
    assert new.state == VersionState.DRAFT and new.title == published.title
    client.post(design_url("edit", helsinki, new.pk), form_data(title_en="Renewed title"))
    new.refresh_from_db()
    published.refresh_from_db()
    assert new.title["en"] == "Renewed title"
    assert published.title["en"] == "Data protection in practice" and published.state == VersionState.PUBLISHED
    # Edit again: the same working copy, not a third version.
    client.post(design_url("start", helsinki, published.micro_credential_id))
    assert published.micro_credential.versions.count() == 2


def test_version_history_and_read_only_preview(client: Any, helsinki: Any, helsinki_admin: Any) -> None:
    published = make_published(helsinki, helsinki_admin, code="HY-H", offering=False)
    login(client, helsinki_admin).post(design_url("start", helsinki, published.micro_credential_id))
    html = client.get(design_url("detail", helsinki, published.micro_credential_id)).content.decode()
    assert "Version history" in html
    assert "Published:" in html and "Created:" in html
    assert html.index("Draft") < html.index("Published</span>")  # newest first
    preview = client.get(design_url("preview", helsinki, published.pk)).content.decode()
    assert "Preview of HY-H, version 1" in preview
    assert "Data protection in practice" in preview and "draft a privacy notice" in preview
    assert "5 ECTS credits" in preview and "EQF level 6" in preview
    assert 'name="title_en"' not in preview and "<textarea" not in preview  # read-only


# --- live findings -----------------------------------------------------------------------------------------------

def test_live_findings_judge_the_unsaved_form_and_save_nothing(client: Any, helsinki: Any,
                                                               helsinki_designer: Any) -> None:
    version = make_draft(helsinki, helsinki_designer)
    login(client, helsinki_designer)
    response = client.post(design_url("findings", helsinki), form_data(ects="60", hours=""),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # the panel only
    assert "ects.out_of_range" in codes_in(response)
    fixed = client.post(design_url("findings", helsinki), form_data(ects="5", hours=""), HTTP_HX_REQUEST="true")
    assert "ects.out_of_range" not in codes_in(fixed)
    assert "0 errors" in fixed.content.decode()
    version.refresh_from_db()
    assert version.ects == Decimal("5.0")


def test_live_findings_point_to_the_outcome_row_on_the_page(client: Any, helsinki: Any,
                                                            helsinki_designer: Any) -> None:
    data = form_data(**{"outcomes-1-text_en": "", "outcomes-1-text_fi": "", "outcomes-1-text_sv": "",
                        "outcomes-1-skills": []})
    # Row 1 is empty and dropped; row 2 (the third on the page) is the design's second outcome.
    data.update({"outcomes-TOTAL_FORMS": "3", "outcomes-2-text_en": "understand things",
                 "outcomes-2-text_fi": "ymmärtää asioita", "outcomes-2-text_sv": "förstå saker"})
    response = login(client, helsinki_designer).post(design_url("findings", helsinki), data)
    finding = next(f for f in findings_in(response) if f["code"] == "learning_outcome.non_observable_verb")
    assert finding["anchor"].startswith("id_outcomes-2-text_")
    assert "Learning outcome 3" in finding["text"]


def test_live_findings_with_a_typing_error_say_so_instead_of_failing(client: Any, helsinki: Any,
                                                                     helsinki_designer: Any) -> None:
    response = login(client, helsinki_designer).post(design_url("findings", helsinki), form_data(ects="5x"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some entries are not valid" in html
    assert "ects.missing" in codes_in(response)  # judged without the invalid entry


def test_live_findings_survive_a_tampered_form(client: Any, helsinki: Any, helsinki_designer: Any) -> None:
    data = form_data()
    data["outcomes-TOTAL_FORMS"] = "nonsense"
    response = login(client, helsinki_designer).post(design_url("findings", helsinki), data)
    assert response.status_code == 200
    assert "learning_outcomes.missing" in codes_in(response)


# --- learning-outcome rows -------------------------------------------------------------------------------------

def test_add_another_outcome_without_javascript_adds_a_row_and_saves_nothing(
    client: Any, helsinki: Any, helsinki_designer: Any
) -> None:
    version = make_draft(helsinki, helsinki_designer)
    data = form_data(add_outcome="1", title_en="Typed but not saved")
    response = login(client, helsinki_designer).post(design_url("edit", helsinki, version.pk), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="outcomes-2-text_fi"' in html and 'name="outcomes-TOTAL_FORMS" value="3"' in html
    assert 'value="Typed but not saved"' in html and "Not saved yet" in html
    version.refresh_from_db()
    assert version.title["en"] == "Data protection in practice"


def test_remove_an_outcome_without_javascript_then_save(client: Any, helsinki: Any, helsinki_designer: Any) -> None:
    version = make_draft(helsinki, helsinki_designer)
    login(client, helsinki_designer)
    response = client.post(design_url("edit", helsinki, version.pk), form_data(remove_outcome="0"))
    html = response.content.decode()
    assert "analyse the risks" not in html
    assert 'name="outcomes-0-text_en"' in html and "draft a privacy notice" in html
    assert 'name="outcomes-1-text_en"' not in html
    # Post the page as shown: the remaining outcome is row 0.
    data = form_data(design_data(learning_outcomes=design_data()["learning_outcomes"][1:]))
    client.post(design_url("edit", helsinki, version.pk), data)
    assert [o.text["en"] for o in version.outcomes.all()] == ["draft a privacy notice"]


def test_rows_emptied_in_the_browser_are_dropped_on_save(client: Any, helsinki: Any, helsinki_designer: Any) -> None:
    version = make_draft(helsinki, helsinki_designer)
    data = form_data()
    for key in [k for k in data if k.startswith("outcomes-0-")]:
        del data[key]  # htmx removed row 0 from the page: its inputs are simply absent
    login(client, helsinki_designer).post(design_url("edit", helsinki, version.pk), data)
    assert [o.text["en"] for o in version.outcomes.all()] == ["draft a privacy notice"]


def test_the_outcome_row_endpoint_returns_a_new_row_and_the_new_total(client: Any, helsinki: Any,
                                                                      helsinki_designer: Any) -> None:
    login(client, helsinki_designer)
    response = client.get(design_url("outcome_row", helsinki), {"outcomes-TOTAL_FORMS": "2"},
                          HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="outcomes-2"' in html and 'name="outcomes-2-text_sv"' in html
    assert 'id="id_outcomes-TOTAL_FORMS"' in html and 'value="3"' in html and 'hx-swap-oob="true"' in html
    assert "Learning outcome 3" in html
    assert client.get(design_url("outcome_row", helsinki), {"outcomes-TOTAL_FORMS": "x"}).status_code == 400
    full = client.get(design_url("outcome_row", helsinki), {"outcomes-TOTAL_FORMS": "30"})
    assert full.status_code == 204


def test_more_outcomes_than_allowed_are_refused_with_a_message(client: Any, helsinki: Any,
                                                               helsinki_designer: Any) -> None:
    version = make_draft(helsinki, helsinki_designer)
    data = form_data()
    data["outcomes-TOTAL_FORMS"] = "31"
    for index in range(31):
        data[f"outcomes-{index}-text_en"] = f"apply rule {index}"
    response = login(client, helsinki_designer).post(design_url("edit", helsinki, version.pk), data)
    assert response.status_code == 200
    assert "Give at most 30 learning outcomes." in response.content.decode()
    assert version.outcomes.count() == 2


def test_removed_row_endpoint_asks_the_panel_to_refresh(client: Any, helsinki: Any, helsinki_designer: Any) -> None:
    response = login(client, helsinki_designer).get(design_url("outcome_removed", helsinki))
    assert response.status_code == 200 and response.content == b""
    assert "design-changed" in response["HX-Trigger-After-Swap"]


# --- the ESCO skill picker ------------------------------------------------------------------------------------

def test_skill_search_shows_label_and_description_as_you_type(client: Any, helsinki: Any,
                                                              helsinki_designer: Any) -> None:
    response = login(client, helsinki_designer).get(
        design_url("skills", helsinki), {"prefix": "outcomes-1", "outcomes-1-skill_query": "data protection"},
        HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "data protection" in html
    assert "principles, ethical issues" in html  # its description
    assert f'value="1|{SKILL_DATA_PROTECTION}"' in html  # no-JS fallback: a submit button
    assert "hx-get" in html and "outcomes-1-chosen" in html


def test_skill_search_with_nothing_found_or_bad_input(client: Any, helsinki: Any, helsinki_designer: Any) -> None:
    login(client, helsinki_designer)
    none = client.get(design_url("skills", helsinki), {"prefix": "outcomes-0", "outcomes-0-skill_query": "qqqzzzxx"})
    assert "No ESCO skill matches" in none.content.decode()
    bad = client.get(design_url("skills", helsinki), {"prefix": "evil\"><script>", "q": "data"})
    assert bad.status_code == 400
    assert client.get(design_url("skill_chosen", helsinki), {"prefix": "outcomes-0", "uri": "nope"}).status_code == 400


def test_chosen_skill_endpoint_returns_a_checked_box_for_the_row(client: Any, helsinki: Any,
                                                                  helsinki_designer: Any) -> None:
    response = login(client, helsinki_designer).get(
        design_url("skill_chosen", helsinki), {"prefix": "outcomes-0", "uri": SKILL_GDPR})
    html = response.content.decode()
    assert f'name="outcomes-0-skills" value="{SKILL_GDPR}" checked' in html
    assert ">GDPR<" in html


def test_skill_picker_without_javascript_search_add_then_save(client: Any, helsinki: Any,
                                                              helsinki_designer: Any) -> None:
    version = make_draft(helsinki, helsinki_designer)
    login(client, helsinki_designer)
    data = form_data(**{"search_skills": "1", "outcomes-1-skill_query": "data protection"})
    html = client.post(design_url("edit", helsinki, version.pk), data).content.decode()
    assert f'name="add_skill" value="1|{SKILL_DATA_PROTECTION}"' in html
    data = form_data(**{"add_skill": f"1|{SKILL_DATA_PROTECTION}"})
    html = client.post(design_url("edit", helsinki, version.pk), data).content.decode()
    assert f'name="outcomes-1-skills" value="{SKILL_DATA_PROTECTION}" checked' in html
    assert version.outcomes.all()[1].skills.count() == 1  # not saved yet
    data["outcomes-1-skills"] = [SKILL_GDPR, SKILL_DATA_PROTECTION]
    del data["add_skill"]
    client.post(design_url("edit", helsinki, version.pk), data)
    assert {s.uri for s in version.outcomes.all()[1].skills.all()} == {SKILL_GDPR, SKILL_DATA_PROTECTION}


def test_an_unknown_skill_is_refused_on_its_row(client: Any, helsinki: Any, helsinki_designer: Any) -> None:
    version = make_draft(helsinki, helsinki_designer)
    data = form_data(**{"outcomes-0-skills": ["http://data.europa.eu/esco/skill/not-a-skill"]})
    response = login(client, helsinki_designer).post(design_url("edit", helsinki, version.pk), data)
    assert "Unknown ESCO skill" in response.content.decode()
    assert [s.uri for s in version.outcomes.all()[0].skills.all()] == [SKILL_DATA_PROTECTION]


def test_publishing_is_not_offered_to_a_designer(client: Any, helsinki: Any, helsinki_designer: Any,
                                                 helsinki_admin: Any) -> None:
    version = make_draft(helsinki, helsinki_designer)
    designer_html = login(client, helsinki_designer).get(design_url("edit", helsinki, version.pk)).content.decode()
    assert "Submit for review" in designer_html and "Publish version" not in designer_html
    admin_html = login(client, helsinki_admin).get(design_url("edit", helsinki, version.pk)).content.decode()
    assert "Publish version 1" in admin_html
