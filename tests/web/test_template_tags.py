"""The shared template helpers."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from osaamo.web.templatetags.osaamo import country_name, ects, euros, lang_attr, language_name, page_title


def render(source: str, **context: object) -> str:
    return Template("{% load osaamo %}" + source).render(Context(context))


def test_lang_attr_marks_only_text_that_fell_back_to_another_language() -> None:
    with translation.override("sv"):
        assert lang_attr({"fi": "Vain suomeksi"}) == ' lang="fi"'
        assert lang_attr({"fi": "Suomeksi", "sv": "På svenska"}) == ""
        assert lang_attr({}) == ""
        assert render("<p{{ text|lang_attr }}>{{ text|tr }}</p>", text={"en": "Only English"}) == (
            '<p lang="en">Only English</p>')


def test_page_title_names_the_page_and_the_site() -> None:
    assert page_title("  Catalog \n") == "Catalog – Osaamo"
    assert page_title("") == "Osaamo"
    assert render("{% filter page_title %}A &amp; B{% endfilter %}") == "A &amp; B – Osaamo"


def test_numbers_and_money_in_the_readers_format() -> None:
    with translation.override("fi"):
        assert ects(Decimal("5.0")) == "5"
        assert ects(Decimal("2.5")) == "2,5"
        assert euros(Decimal("250")) == "250,00\u00a0€"
    with translation.override("en"):
        assert ects(Decimal("2.5")) == "2.5"
        assert euros(Decimal("0.5")) == "0.50\u00a0€"
    assert ects(None) == "" and euros(None) == ""


def test_language_and_country_names_are_translated() -> None:
    with translation.override("fi"):
        assert language_name("sv") == "ruotsi"
        assert country_name("FI") == "Suomi"
    with translation.override("sv"):
        assert language_name("fi") == "finska"
        assert country_name("se") == "Sverige"
    with translation.override("en"):
        assert country_name("ZZ") == "ZZ"
        assert language_name("xx") == "xx"
