"""Recognising the verb a learning outcome starts with, in Finnish, Swedish and English."""

from __future__ import annotations

import pytest

from osaamo.framework.verbs import NON_OBSERVABLE_WORDS, OBSERVABLE_VERBS, VerbKind, outcome_verb

OBSERVABLE = VerbKind.OBSERVABLE
NON_OBSERVABLE = VerbKind.NON_OBSERVABLE
MISSING = VerbKind.MISSING


@pytest.mark.parametrize(("text", "lemma"), [
    ("analysoida henkilötietojen käsittelyn riskejä", "analysoida"),
    ("Opiskelija osaa analysoida riskejä", "analysoida"),
    ("Osaat soveltaa tietosuoja-asetusta", "soveltaa"),
    ("Opintojakson suoritettuaan opiskelija osaa laatia tietosuojaselosteen", "laatia"),
    ("Kokonaisuuden jälkeen osaat kuvata prosessin", "kuvata"),
    ("Tavoitteena on, että opiskelija osaa valita menetelmän", "valita"),
    ("Opiskelija pystyy analysoimaan riskejä", "analysoida"),
    ("Opiskelija kykenee suunnittelemaan koulutuksen", "suunnitella"),
    ("Opiskelija analysoi riskejä", "analysoida"),
    ("Opiskelija kuvaa prosessin", "kuvata"),
    ("Opiskelija mittaa tuloksia", "mitata"),
    ("Opiskelija seuraa kehitystä", "seurata"),
    ("Opiskelija tulkitsee tuloksia", "tulkita"),
    ("Opiskelija ratkaisee ongelmia", "ratkaista"),
    ("Opiskelijat vertailevat vaihtoehtoja", "vertailla"),
    ("kriittisesti arvioida lähteitä", "arvioida"),
    ("1. tunnistaa riskit", "tunnistaa"),
    ("Sovellat tietosuoja-asetusta", "soveltaa"),
    ("Laadit tietosuojaselosteen", "laatia"),
    ("Suunnittelet koulutuksen", "suunnitella"),
    ("Valitset menetelmän", "valita"),
    ("Johdat tiimiä", "johtaa"),
])
def test_finnish_observable_verbs_with_lead_ins_and_inflection(text: str, lemma: str) -> None:
    check = outcome_verb(text, "fi")
    assert (check.kind, check.lemma) == (OBSERVABLE, lemma)


@pytest.mark.parametrize(("text", "lemma"), [
    ("Opiskelija tietää, mitä GDPR edellyttää", "tietää"),
    ("Opiskelija ymmärtää tietosuojan merkityksen", "ymmärtää"),
    ("tuntee keskeiset käsitteet", "tuntea"),
    ("Opiskelija perehtyy aiheeseen", "perehtyä"),
    ("Opit analysoimaan riskejä", "oppia"),
    ("Opiskelija oppii tietosuojan perusteet", "oppia"),
    ("Opiskelija on perehtynyt tietosuojaan", "perehtynyt"),
    ("Opiskelija osoittaa ymmärtävänsä asetuksen", "osoittaa"),
    ("Ymmärrät riskit", "ymmärtää"),
    ("Tiedät, mitä asetus vaatii", "tietää"),
    ("Perehdyt aiheeseen", "perehtyä"),
    ("Opiskelija tutustuu aiheeseen", "tutustua"),
    ("Kurssin jälkeen opiskelijalla on käsitys informaatiosodankäynnistä", "käsitys"),
])
def test_finnish_non_observable_verbs(text: str, lemma: str) -> None:
    check = outcome_verb(text, "fi")
    assert (check.kind, check.lemma) == (NON_OBSERVABLE, lemma)


@pytest.mark.parametrize(("text", "lemma"), [
    ("analysera risker i behandlingen av personuppgifter", "analysera"),
    ("Studenten kan analysera risker", "analysera"),
    ("Efter kursen kan studenten tillämpa metoderna", "tillämpa"),
    ("Den studerande ska kunna jämföra alternativ", "jämföra"),
    ("Studenten har förmåga att beskriva processen", "beskriva"),
    ("Du kan planera en utbildning", "planera"),
    ("Studenten analyserar risker", "analysera"),
    ("Studenten väljer metoder", "välja"),
    ("Studenten känner igen mönster", "känna igen"),
    ("kritiskt granska källor", "granska"),
    ("redogöra för dataskyddsförordningen", "redogöra"),
])
def test_swedish_observable_verbs_with_lead_ins_and_inflection(text: str, lemma: str) -> None:
    check = outcome_verb(text, "sv")
    assert (check.kind, check.lemma) == (OBSERVABLE, lemma)


@pytest.mark.parametrize(("text", "lemma"), [
    ("veta vad dataskydd är", "veta"),
    ("Studenten förstår dataskyddsförordningen", "förstå"),
    ("Studenten känner till begreppen", "känna till"),
    ("lära sig grunderna", "lära sig"),
    ("vara medveten om riskerna", "medveten"),
    ("Studenten har kunskap om dataskydd", "kunskap"),
    ("Studenten visar förståelse för lagen", "visa"),
    ("Du har en bättre förståelse för kulturen", "förståelse"),
    ("Efter genomgången kursperiod är studeranden bekant med processen", "bekant"),
    ("Efter kursen har studeranden lärt sig grunderna", "lära sig"),
])
def test_swedish_non_observable_verbs(text: str, lemma: str) -> None:
    check = outcome_verb(text, "sv")
    assert (check.kind, check.lemma) == (NON_OBSERVABLE, lemma)


@pytest.mark.parametrize(("text", "lemma"), [
    ("analyse the risks of processing personal data", "analyse"),
    ("draft a privacy notice", "draft"),
    ("The learner is able to apply the GDPR", "apply"),
    ("Students will be able to design a course", "design"),
    ("On successful completion of this module students will be able to evaluate sources", "evaluate"),
    ("After completing the course, you can plan a project", "plan"),
    ("The student analyses risks", "analyse"),
    ("Identifies risks in data processing", "identify"),
    ("critically assess sources", "assess"),
    ("carry out a data protection audit", "carry out"),
    ("analyze data", "analyze"),
    ("Ability to characterise materials", "characterise"),
    ("She/he can give constructive feedback", "give"),
])
def test_english_observable_verbs_with_lead_ins_and_inflection(text: str, lemma: str) -> None:
    check = outcome_verb(text, "en")
    assert (check.kind, check.lemma) == (OBSERVABLE, lemma)


@pytest.mark.parametrize(("text", "lemma"), [
    ("know the basics of the GDPR", "know"),
    ("understand data protection", "understand"),
    ("The learner understands the GDPR", "understand"),
    ("learn to code in Python", "learn"),
    ("You will learn to analyse data", "learn"),
    ("be aware of the risks", "aware"),
    ("Students will be familiar with the tools", "familiar"),
    ("appreciate cultural diversity", "appreciate"),
    ("demonstrate an understanding of privacy law", "demonstrate"),
    ("gain knowledge of data protection", "gain"),
    ("have acquired oral skills", "acquire"),
    ("General understanding of powder metallurgy", "understanding"),
])
def test_english_non_observable_verbs(text: str, lemma: str) -> None:
    check = outcome_verb(text, "en")
    assert (check.kind, check.lemma) == (NON_OBSERVABLE, lemma)


@pytest.mark.parametrize(("language", "text"), [
    ("fi", "Tietosuojan perusteet"),
    ("fi", "Riskit analysoidaan"),
    ("sv", "Dataskydd i praktiken"),
    ("en", "Data protection basics"),
    ("en", "   "),
])
def test_outcomes_without_a_verb_at_the_start(language: str, text: str) -> None:
    assert outcome_verb(text, language).kind == MISSING


# The verbs the demo content is told to use (the demo brief's lists): every one must pass.
DEMO_VERBS = {
    "fi": """analysoida soveltaa arvioida rakentaa laskea luokitella verrata laatia luoda määritellä kuvata
        suunnitella kehittää erotella dokumentoida selittää muotoilla tunnistaa toteuttaa tulkita perustella
        johtaa mitata mallintaa nimetä käyttää esittää priorisoida tuottaa ohjelmoida ehdottaa suositella
        raportoida valita ratkaista testata kirjoittaa viestiä fasilitoida neuvotella argumentoida konfiguroida
        seurata visualisoida hyödyntää ohjata eritellä jäsentää toimia""",
    "sv": """analysera tillämpa bedöma bygga beräkna klassificera jämföra utarbeta skapa definiera beskriva
        planera utforma utveckla särskilja dokumentera förklara formulera identifiera genomföra tolka motivera
        leda mäta modellera namnge använda presentera prioritera producera programmera föreslå rekommendera
        rapportera välja lösa testa skriva kommunicera facilitera förhandla argumentera konfigurera övervaka
        visualisera hantera styra agera""",
    "en": """analyse apply assess build calculate classify compare draft create define describe plan design
        develop distinguish document explain formulate identify implement interpret justify lead measure model
        name use present prioritise produce program propose recommend report select solve test write
        communicate facilitate negotiate argue configure monitor visualise manage evaluate conduct act""",
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_verb_of_the_demo_brief_is_observable(language: str) -> None:
    for verb in DEMO_VERBS[language].split():
        check = outcome_verb(f"{verb} x", language)
        assert check.kind == OBSERVABLE, verb


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_lists_do_not_overlap(language: str) -> None:
    assert not OBSERVABLE_VERBS[language] & NON_OBSERVABLE_WORDS[language]


@pytest.mark.parametrize(("language", "lead_in"), [
    ("fi", "Opiskelija osaa"), ("fi", "Osaat"), ("sv", "Studenten kan"), ("sv", "Du kan"),
    ("en", "The learner is able to"), ("en", "Students will be able to"),
])
def test_the_lead_ins_of_the_brief_are_recognised_before_every_listed_verb(language: str, lead_in: str) -> None:
    for verb in sorted(OBSERVABLE_VERBS[language]):
        check = outcome_verb(f"{lead_in} {verb} asiakkaan tarpeet", language)
        assert check.kind == OBSERVABLE, verb
