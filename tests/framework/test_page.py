"""The public framework page: rules with their sources, EQF levels and vocabularies, in three languages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from osaamo.framework.eqf import eqf_level
from osaamo.framework.rules import FINDING_CODES

pytestmark = pytest.mark.django_db

EXPECTED = {
    "fi": ("Pienten osaamiskokonaisuuksien viitekehys", "Virhe", "Oikeustiede", "Projektityö"),
    "sv": ("Ramverket för små kompetenshelheter", "Fel", "Juridik", "Projektarbete"),
    "en": ("The micro-credential framework", "Error", "Law", "Project work"),
}


def _page(client: Client, language: str) -> str:
    with translation.override(language):
        url = reverse("framework:overview")
    assert url == f"/{language}/framework/"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_page_renders_in_each_language(client: Client, language: str) -> None:
    html = _page(client, language)
    assert f'<html lang="{language}">' in html
    heading, error, law, project_work = EXPECTED[language]
    assert f"<h1>{heading}</h1>" in html
    for text in (error, law, project_work):
        assert text in html
    assert eqf_level(7).descriptors(language)["knowledge"] in html


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_rule_is_listed_with_its_explanation_and_source(client: Client, language: str) -> None:
    html = _page(client, language)
    with translation.override(language):
        for code, rule in FINDING_CODES.items():
            assert f'id="rule-{code}"' in html
            assert f"<code>{code}</code>" in html
            assert str(rule.explanation).replace("'", "&#x27;").replace('"', "&quot;") in html
            assert rule.source.replace("'", "&#x27;") in html


def test_the_page_is_structured_for_assistive_technology(client: Client) -> None:
    html = _page(client, "fi")
    assert html.count("<h1>") == 1
    assert '<th scope="col">' in html
    assert 'aria-labelledby="rules"' in html and 'id="rules"' in html
    assert 'lang="en"' in html  # the English source citations are marked as English
    assert "Osaamon käännöksiä" in html  # the Finnish EQF descriptors are said to be our translation
