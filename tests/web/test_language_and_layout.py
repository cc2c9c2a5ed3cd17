"""Every page: the language switcher keeps the reader where they were, the layout is accessible."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from tests.catalog.test_public_fixtures import catalog, detail_url, url

__all__ = ["catalog"]


def switch(client: Any, language: str, next_url: str) -> Any:
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_switching_language_on_a_micro_credential_keeps_the_page(client: Any, catalog: Any, language: str) -> None:
    response = switch(client, language, detail_url(catalog.a, "en"))
    assert response.status_code == 302
    assert response["Location"] == detail_url(catalog.a, language)
    html = client.get(response["Location"]).content.decode()
    assert catalog.a.title[language] in html
    assert f'<html lang="{language}">' in html


def test_switching_language_on_a_filtered_list_keeps_the_filters(client: Any, catalog: Any) -> None:
    query = "q=patient&eqf_level=5&price=free&page_size=10"
    response = switch(client, "sv", url("catalog:list", "en", query))
    assert response["Location"] == url("catalog:list", "sv", query)
    page = client.get(response["Location"])
    assert {v.micro_credential.code for v in page.context["page"].object_list} == {"C"}
    assert "Grunderna i patientsäkerhet" in page.content.decode()


def test_the_switcher_carries_the_current_address(client: Any, catalog: Any) -> None:
    html = client.get(url("catalog:list", "en", "q=timber&mode=onsite")).content.decode()
    assert '<input type="hidden" name="next" id="language-next" value="/en/?q=timber&amp;mode=onsite">' in html
    for code, name in (("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")):
        assert re.search(rf'<button type="submit" name="language" value="{code}" lang="{code}"[^>]*>{name}</button>',
                         html)
    assert 'aria-current="true" class="current">English' in html


def test_every_page_names_its_other_language_versions(client: Any, catalog: Any) -> None:
    html = client.get(url("catalog:list", "en", "q=timber&page_size=10")).content.decode()
    for language in ("fi", "sv", "en"):
        assert (f'<link rel="alternate" hreflang="{language}" '
                f'href="/{language}/?q=timber&amp;page_size=10">') in html
    detail = client.get(detail_url(catalog.b, "sv")).content.decode()
    assert f'<link rel="alternate" hreflang="fi" href="{detail_url(catalog.b, "fi")}">' in detail


def test_htmx_updates_bring_the_new_address_for_the_switcher(client: Any, catalog: Any) -> None:
    """With htmx the list is replaced in place; the switcher's address comes along (hx-select-oob)."""
    html = client.get(url("catalog:list", "en", "q=timber"), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-select-oob="#language-next,#results-announcement:innerHTML"' in html
    assert 'id="language-next" value="/en/?q=timber"' in html
    assert re.search(r'<p id="results-announcement"[^>]*role="status">1 micro-credential found</p>', html)


@pytest.mark.parametrize("name", ["catalog:list", "catalog:providers"])
def test_pages_have_landmarks_a_skip_link_and_a_title(client: Any, db: Any, name: str) -> None:
    html = client.get(url(name)).content.decode()
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<main id="main"' in html and "<header" in html and "<footer" in html
    assert re.search(r"<title>[^<]+ – Osaamo</title>", html)
    assert html.count("<h1") == 1
    assert html.count('aria-current="page"') == 1  # where the reader is in the main navigation


def test_pages_are_in_finnish_by_default_and_translated(client: Any, db: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "fi"
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/fi/"
    html = response.content.decode()
    assert '<html lang="fi">' in html
    assert "Siirry sisältöön" in html  # "Skip to content"
    sv = client.get(url("catalog:list", "sv")).content.decode()
    assert "Hoppa till innehållet" in sv


def test_the_filter_form_labels_every_control(client: Any, db: Any) -> None:
    html = client.get(url("catalog:list")).content.decode()
    ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html)
    labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
    controls = [i for i in ids if i.startswith("id_")]
    assert controls and all(i in labelled for i in controls), set(controls) - labelled
    assert "<legend>Workload (ECTS credits)</legend>" in html
    assert re.search(r"<legend>Level \(EQF\)</legend>", html)
    assert '<optgroup label="06 ' in html  # ISCED-F grouped by broad field


def test_the_error_summary_is_announced_and_links_to_the_field(client: Any, db: Any) -> None:
    html = client.get(url("catalog:list", "en", "ects_min=lots")).content.decode()
    assert re.search(r'<div class="error-summary" role="alert"', html)
    assert re.search(r'<input[^>]*name="ects_min"[^>]*aria-invalid="true"[^>]*aria-describedby="id_ects_min_error"',
                     html)
    assert 'id="id_ects_min_error"' in html


def test_english_is_the_test_language_and_translation_is_restored() -> None:
    with translation.override("sv"):
        assert translation.get_language() == "sv"
