"""Does a learning outcome start with an observable action verb? Verb lists for fi, sv and en.

A learning outcome completes the sentence "after completing the micro-credential the learner can …"
(ECTS Users' Guide 2015 §4.2; Finnish practice: "Opintojakson suoritettuaan opiskelija osaa
+ aktiiviverbi", finnish-context §1.7). Its main verb must name something an assessor can see the
learner do (revised Bloom: define, explain, apply, analyse, evaluate, create …), not an inner state
(know, understand, be familiar with …), which cannot be assessed.

`outcome_verb(text, language)` skips the usual lead-ins ("Opiskelija osaa …", "Efter kursen kan
studenten …", "Students will be able to …"), recognises inflected forms ("analysoi",
"analysoimaan", "sovelletaan", "analyserar", "analyses") and answers which kind of verb the outcome
starts with. The inflected forms are generated from the lists below (Finnish verb types 1–5 with
consonant gradation, Swedish present tense, English -s/-ed/-ing). A general lemmatizer is not
needed, since only the listed verbs matter, and simplemma's Finnish dictionary alone takes about
ten seconds to load in every process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache


class VerbKind(StrEnum):
    OBSERVABLE = "observable"
    NON_OBSERVABLE = "non_observable"
    MISSING = "missing"  # no recognised verb where the outcome should start


@dataclass(frozen=True)
class VerbCheck:
    kind: VerbKind
    word: str = ""  # the word as written in the outcome
    lemma: str = ""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- observable action verbs (dictionary forms) ---------------------------------------------------
# Revised Bloom (Anderson & Krathwohl 2001) in the corrected Finnish form of finnish-context §1.7
# and §5.3, the demo brief's lists, and the verbs Finnish, Swedish and English HEI curricula use.

OBSERVABLE_VERBS: dict[str, frozenset[str]] = {
    "fi": _words("""
        analysoida soveltaa arvioida rakentaa laskea luokitella verrata vertailla laatia luoda
        määritellä kuvata kuvailla suunnitella kehittää erotella eritellä dokumentoida selittää
        muotoilla tunnistaa toteuttaa tulkita perustella johtaa mitata mallintaa nimetä käyttää
        esittää esitellä priorisoida tuottaa ohjelmoida ehdottaa suositella raportoida valita
        ratkaista testata kirjoittaa viestiä fasilitoida neuvotella argumentoida konfiguroida
        seurata visualisoida hyödyntää ohjata jäsentää jäsennellä toimia listata luetella kertoa
        toistaa yleistää ennustaa kategorioida kritisoida kyseenalaistaa arvostella valmistaa
        tarkastella pohtia reflektoida keskustella havainnoida haastatella kartoittaa koota kerätä
        käsitellä hallinnoida organisoida järjestää koordinoida ohjeistaa opettaa kouluttaa neuvoa
        konsultoida tukea tehdä tarkistaa tarkastaa varmistaa todentaa validoida optimoida parantaa
        muokata mukauttaa integroida yhdistää asentaa ylläpitää hoitaa tutkia selvittää päätellä
        ennakoida puolustaa havainnollistaa demonstroida osoittaa piirtää luonnostella simuloida
        budjetoida hinnoitella markkinoida myydä delegoida sovitella kääntää tiivistää referoida
        johtaa päättää toimeenpanna operoida huoltaa korjata diagnosoida tulkata laskuttaa
        auditoida kirjata tallentaa koodata mitoittaa rakentaa kalibroida ohjelmoida muuntaa
        vertailla argumentoida ilmaista selostaa määrittää rajata kohdentaa mitoittaa
        ratkoa kehitellä innovoida ideoida prototypoida testata raportoida arvottaa
        vastata esiintyä puhua keskustella kuunnella lukea dokumentoida
        pitää koostaa etsiä antaa työskennellä kommunikoida asettaa taltioida suorittaa osallistua
    """),
    "sv": _words("""
        analysera tillämpa bedöma bygga beräkna klassificera kategorisera jämföra utarbeta skapa
        definiera beskriva planera utforma utveckla särskilja skilja urskilja dokumentera förklara
        formulera identifiera genomföra tolka motivera leda mäta modellera namnge använda presentera
        prioritera producera programmera föreslå rekommendera rapportera välja lösa testa skriva
        kommunicera facilitera förhandla argumentera konfigurera övervaka visualisera hantera styra
        agera arbeta samarbeta organisera koordinera samordna undervisa handleda instruera coacha
        granska kritisera diskutera reflektera sammanfatta lista räkna redogöra redovisa demonstrera
        visa illustrera tillverka konstruera designa framställa utföra utvärdera värdera kontrollera
        verifiera validera optimera förbättra anpassa modifiera integrera kombinera installera
        underhålla administrera vårda undersöka utreda kartlägga samla sammanställa intervjua
        observera simulera rita skissa budgetera prissätta marknadsföra sälja delegera medla
        översätta förutsäga uppskatta kvantifiera strukturera problematisera resonera försvara
        ifrågasätta initiera påvisa säkerställa följa fastställa specificera diagnostisera
        reparera kalibrera koda kategorisera tillämpa uttrycka formge prototypa implementera
        besvara tala läsa lyssna upprätta ange nämna återge exemplifiera precisera
        berätta uttala framföra utbyta delta hålla utnyttja positionera uppträda handla tillämpa
    """),
    "en": _words("""
        analyse analyze apply assess build calculate classify compare draft create define describe
        plan design develop distinguish document explain formulate identify implement interpret
        justify lead measure model name use present prioritise prioritize produce program programme
        propose recommend report select solve test write communicate facilitate negotiate argue
        configure monitor visualise visualize manage evaluate conduct act list recall recognise
        recognize state label match reproduce quote summarise summarize paraphrase illustrate infer
        predict translate discuss demonstrate show execute operate practise practice employ perform
        compute construct prepare schedule sketch attribute categorise categorize differentiate
        discriminate examine experiment organise organize outline structure investigate diagnose
        deconstruct integrate research appraise check critique criticise criticize defend judge
        rate review support validate verify audit assemble compose devise generate invent author
        code prototype simulate compile edit adapt modify improve optimise optimize refine revise
        install deploy maintain administer lead mediate moderate interview observe record map
        estimate forecast quantify sample survey collect gather process debug troubleshoot repair
        treat nurse prescribe inspect handle control regulate coordinate supervise train teach
        instruct guide coach mentor advise consult reflect combine relate promote respond
        cooperate collaborate work deliver carry interact specify determine contrast exemplify
        decide choose calibrate budget estimate price market sell delegate persuade convince
        question challenge debate explore formulate draw chart plot tabulate translate speak
        read listen respond perform ensure establish set present pitch prepare enumerate
        classify reconcile resolve mitigate plan schedule allocate prioritise benchmark
        characterise characterize give
    """),
}

# Verbs (and the adjectives and nouns they come with) that name an inner state, not a performance.
NON_OBSERVABLE_WORDS: dict[str, frozenset[str]] = {
    "fi": _words("""
        tietää ymmärtää tuntea perehtyä oppia tiedostaa omaksua sisäistää tutustua hallita saada
        omata hahmottaa käsittää muistaa oivaltaa tietoinen perehtynyt ymmärrys tietämys käsitys
        tietoisuus valmius valmiudet perustieto perustiedot tieto tiedot ymmärtämys
        ymmärtävänsä tietävänsä tuntevansa hallitsevansa
        yleiskuva kokonaiskuva näkemys kokemus syventää syventyä
    """),
    "sv": _words("""
        veta förstå känna lära få medveten förtrogen bekant insikt insikter kunskap kunskaper
        kännedom förståelse begripa inse behärska tillägna bekanta minnas orientera
        översikt uppfattning uppfatta inblick förtrogenhet erfarenhet erfarenheter
    """),
    "en": _words("""
        know understand learn aware familiar acquainted appreciate comprehend grasp realise realize
        gain knowledge understanding awareness familiarity insight master internalise internalize
        believe remember become get conscious
        acquire experience
    """),
}

# Two-word starts whose meaning differs from their first word (first word, second word) → kind.
PHRASES: dict[str, dict[tuple[str, str], VerbKind]] = {
    "fi": {},
    "sv": {
        ("känna", "igen"): VerbKind.OBSERVABLE,  # recognise
        ("lära", "ut"): VerbKind.OBSERVABLE,  # teach
        ("ta", "fram"): VerbKind.OBSERVABLE,  # produce
        ("ta", "ansvar"): VerbKind.OBSERVABLE,
        ("göra", "upp"): VerbKind.OBSERVABLE,  # draw up
        ("känna", "till"): VerbKind.NON_OBSERVABLE,  # know about
        ("lära", "sig"): VerbKind.NON_OBSERVABLE,
        ("sätta", "sig"): VerbKind.NON_OBSERVABLE,  # sätta sig in i
    },
    "en": {
        ("carry", "out"): VerbKind.OBSERVABLE,
        ("set", "up"): VerbKind.OBSERVABLE,
        ("draw", "up"): VerbKind.OBSERVABLE,
        ("take", "responsibility"): VerbKind.OBSERVABLE,
        ("make", "decisions"): VerbKind.OBSERVABLE,
        ("find", "out"): VerbKind.OBSERVABLE,
    },
}

# "demonstrate an understanding of …" only restates "understand": a show-verb followed closely by
# a non-observable noun counts as non-observable.
SHOW_VERBS: dict[str, frozenset[str]] = {
    "fi": frozenset({"osoittaa", "näyttää", "demonstroida"}),
    "sv": frozenset({"visa", "uppvisa", "påvisa", "demonstrera"}),
    "en": frozenset({"demonstrate", "show", "display", "exhibit"}),
}

# --- lead-ins ---------------------------------------------------------------------------------------
# Words that may come before the verb: subjects, "can / is able to", auxiliaries.
LEAD_IN_WORDS: dict[str, frozenset[str]] = {
    "fi": _words("""
        opiskelija opiskelijat oppija oppijat osallistuja osallistujat koulutettava koulutettavat
        suorittaja suorittajat sinä te hän he osaa osaavat osaat osaatte osaan pystyy pystyvät pystyt
        pystytte kykenee kykenevät kykenet kykenette on ovat olet olette kykenevä kykeneviä
        kykeneväinen valmis hyväksytysti myös lisäksi
        opiskelijalla opiskelijoilla oppijalla sinulla hänellä
    """),
    "sv": _words("""
        studenten studenterna studerande den de deltagaren deltagarna deltagare du ni man eleven
        eleverna kursdeltagaren kursdeltagarna kan ska skall kunna förmår klarar är vara har ha
        förmåga att även också dessutom efter avslutad genomgången kursen modulen helheten
        studeranden studerandena hen hon han en ett god goda bättre grundläggande allmän djupare
    """),
    "en": _words("""
        the a an learner learners student students participant participants graduate graduates
        trainee trainees you they we will would can could should shall must be is are able to
        capable of have has successful successfully also further good basic deep thorough solid
        broad sound comprehensive clear
        ability she he she/he informed general better overall in-depth advanced practical theoretical
    """),
}

# Anchors: a lead-in usually starts at the subject or the modal ("Kurssin jälkeen opiskelija osaa …").
ANCHOR_WORDS: dict[str, frozenset[str]] = {
    "fi": _words("""
        opiskelija opiskelijat oppija oppijat osallistuja osallistujat koulutettava koulutettavat
        suorittaja suorittajat osaa osaavat osaat osaatte pystyy pystyvät pystyt kykenee kykenevät
        kykenet
        opiskelijalla opiskelijoilla sinulla
    """),
    "sv": _words("""
        studenten studenterna studerande deltagaren deltagarna du ni eleven eleverna
        kursdeltagaren kursdeltagarna kan ska skall förmår
        studeranden studerandena hen
    """),
    "en": _words("""
        learner learners student students participant participants graduate graduates trainee
        trainees you they
        she he
    """),
}

# A clause that ends in one of these comes before the outcome proper ("Tavoitteena on, että …").
CLAUSE_ENDS: dict[str, frozenset[str]] = {
    "fi": _words("""
        että suoritettuaan suoritettuasi suoritettuanne suorittanut suorittaneet käytyään käytyäsi
        jälkeen päätyttyä päätteeksi lopussa lopuksi myötä
    """),
    "sv": frozenset({"att"}),
    "en": frozenset({"that"}),
}

# Adverbs that may precede the verb ("kriittisesti arvioida", "kritiskt granska", "critically assess").
ADVERBS: dict[str, frozenset[str]] = {
    "fi": frozenset({"yhdessä", "tarvittaessa", "kriittisesti", "itsenäisesti", "ammatillisesti"}),
    "sv": _words("""
        kritiskt självständigt systematiskt effektivt aktivt ansvarsfullt etiskt professionellt
        strukturerat vetenskapligt tillsammans muntligt skriftligt grundligt tydligt
    """),
    "en": frozenset({"together", "both", "independently", "critically", "effectively"}),
}

EXAMPLE_VERBS: dict[str, str] = {
    "fi": "analysoida, soveltaa, suunnitella, arvioida",
    "sv": "analysera, tillämpa, planera, bedöma",
    "en": "analyse, apply, design, evaluate",
}

LANGUAGES = ("fi", "sv", "en")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_MAX_TOKENS = 40  # the verb is near the start; never read a whole essay


# --- inflected forms -------------------------------------------------------------------------------

_FI_VOWELS = "aeiouyäö"
_FI_WEAK = (("lt", "ll"), ("nt", "nn"), ("rt", "rr"), ("ht", "hd"), ("tt", "t"), ("kk", "k"), ("pp", "p"))


def _fi_weak_grade(stem: str) -> str:
    """Weak grade of the last consonant cluster before the stem vowel (soveltaa → sovelle-)."""
    body, vowel = stem[:-1], stem[-1]
    for strong, weak in _FI_WEAK:
        if body.endswith(strong):
            return body[: -len(strong)] + weak + vowel
    if len(body) >= 2 and body[-1] == "t" and body[-2] in _FI_VOWELS:
        return body[:-1] + "d" + vowel
    return stem


def _fi_forms(lemma: str) -> set[str]:
    """The forms an outcome's verb typically takes: 3rd person, passive, 3rd infinitive (-maan)."""
    a = lemma[-1]
    if a not in "aä" or len(lemma) < 4:
        return {lemma}
    forms = {lemma}
    if lemma[-2] == "d" and lemma[-3] in _FI_VOWELS:  # type 2: analysoida, luoda
        stem = lemma[:-2]
        forms |= {stem, f"{stem}v{a}t", f"{stem}m{a}{a}n", f"{stem}m{a}ll{a}", f"{lemma}{a}n", f"{stem}t", f"{stem}n"}
    elif lemma[-3:-1] in ("ll", "nn", "rr", "st"):  # type 3: suunnitella, ratkaista
        if lemma[-3:-1] == "st":
            stem = lemma[:-2] + "e"
        else:
            body = lemma[:-2]
            if body.endswith("nnel"):
                body = body[:-4] + "ntel"
            elif body.endswith("tel") and not body.endswith(("ttel", "stel", "htel")):
                body = body[:-3] + "ttel"
            stem = body + "e"
        forms |= {f"{stem}e", f"{stem}v{a}t", f"{stem}m{a}{a}n", f"{stem}m{a}ll{a}", f"{lemma}{a}n", f"{stem}t",
                  f"{stem}n"}
    elif lemma[-3:-1] in ("it",) and lemma[-4] not in _FI_VOWELS + "t":  # type 5: valita, tulkita
        stem = lemma[:-1] + "se"
        forms |= {f"{stem}e", f"{stem}v{a}t", f"{stem}m{a}{a}n", f"{stem}m{a}ll{a}", f"{lemma}{a}n", f"{stem}t",
                  f"{stem}n"}
    elif lemma[-2] == "t" and lemma[-3] in _FI_VOWELS:  # type 4: kuvata, mitata, nimetä
        stem = lemma[:-2]
        strong = stem
        if len(stem) >= 3 and stem[-2] in "tkp" and stem[-3] in _FI_VOWELS:
            strong = stem[:-1] + stem[-2] + stem[-1]
        elif stem.endswith(("rra", "rrä")):
            strong = stem[:-2] + "t" + stem[-1]
        base = strong + a
        third = base if stem[-1] in "aä" else base + a
        forms |= {third, f"{base}v{a}t", f"{base}m{a}{a}n", f"{base}m{a}ll{a}", f"{lemma}{a}n", f"{base}t",
                  f"{base}n"}
    elif lemma[-2] in _FI_VOWELS:  # type 1: soveltaa, laatia, laskea
        stem = lemma[:-1]
        weak = _fi_weak_grade(stem)
        passive_stem = weak[:-1] + "e" if weak[-1] in "aä" else weak
        forms |= {stem + stem[-1], f"{stem}v{a}t", f"{stem}m{a}{a}n", f"{stem}m{a}ll{a}",
                  f"{passive_stem}t{a}{a}n", f"{weak}t", f"{weak}n"}
    return forms


def _sv_forms(lemma: str) -> set[str]:
    forms = {lemma, lemma + "r"}
    if lemma.endswith("a"):
        stem = lemma[:-1]
        forms |= {stem + "er", stem + "de", lemma + "de", lemma + "t", stem, stem + "t"}
    return forms


def _en_forms(lemma: str) -> set[str]:
    forms = {lemma, lemma + "s", lemma + "ed", lemma + "ing"}
    if lemma.endswith(("s", "sh", "ch", "x", "z", "o")):
        forms.add(lemma + "es")
    if lemma.endswith("y") and lemma[-2:-1] not in ("a", "e", "o", "u"):
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if lemma.endswith("e"):
        forms |= {lemma + "d", lemma[:-1] + "ing"}
    if len(lemma) >= 3 and lemma[-1] in "bdglmnprt" and lemma[-2] in "aeiou" and lemma[-3] not in "aeiou":
        forms |= {lemma + lemma[-1] + "ing", lemma + lemma[-1] + "ed"}
    return forms


_FORM_GENERATORS = {"fi": _fi_forms, "sv": _sv_forms, "en": _en_forms}


@cache
def _form_table(language: str) -> dict[str, str]:
    """Inflected form → dictionary form, for every listed word (observable ones win on a clash)."""
    generate = _FORM_GENERATORS[language]
    table: dict[str, str] = {}
    for words in (NON_OBSERVABLE_WORDS[language], OBSERVABLE_VERBS[language]):
        for lemma in sorted(words):
            for form in generate(lemma):
                table[form] = lemma
    return table


def _lemmas(token: str, language: str) -> tuple[str, ...]:
    """The word itself and, if it is an inflected form of a listed word, that word."""
    generated = _form_table(language).get(token)
    return (token, generated) if generated and generated != token else (token,)


def _kind_of(token: str, language: str) -> tuple[VerbKind, str] | None:
    for lemma in _lemmas(token, language):
        if lemma in OBSERVABLE_VERBS[language]:
            return VerbKind.OBSERVABLE, lemma
        if lemma in NON_OBSERVABLE_WORDS[language]:
            return VerbKind.NON_OBSERVABLE, lemma
    return None


def _tokens(text: str) -> list[str]:
    return [match.group(0).lower().replace("’", "'") for match in _WORD.finditer(text[:600])][:_MAX_TOKENS]


def _verdict_at(tokens: list[str], start: int, language: str) -> VerbCheck | None:
    index = start
    while index < len(tokens) and tokens[index] in ADVERBS[language] | _adverb_like(tokens[index], language):
        index += 1
    if index >= len(tokens):
        return None
    token = tokens[index]
    found = _kind_of(token, language)
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    if following:
        first = found[1] if found else token
        for lemma in (first, *_lemmas(token, language)):
            phrase = PHRASES[language].get((lemma, following))
            if phrase is not None:
                return VerbCheck(phrase, token, f"{lemma} {following}")
    if found is None:
        return None
    kind, lemma = found
    if kind == VerbKind.OBSERVABLE and lemma in SHOW_VERBS[language]:
        for later in tokens[index + 1 : index + 5]:
            if any(x in NON_OBSERVABLE_WORDS[language] for x in _lemmas(later, language)):
                return VerbCheck(VerbKind.NON_OBSERVABLE, token, lemma)
    return VerbCheck(kind, token, lemma)


def _adverb_like(token: str, language: str) -> frozenset[str]:
    """Manner adverbs by their ending, unless the word is itself a listed verb ("apply")."""
    endings = {"fi": ("sti",), "sv": ("iskt", "ligt", "igt"), "en": ("ly",)}[language]
    if token.endswith(endings) and _kind_of(token, language) is None:
        return frozenset({token})
    return frozenset()


def _skip_lead_in(tokens: list[str], start: int, language: str) -> int:
    index = start
    while index < len(tokens) and (
        tokens[index] in LEAD_IN_WORDS[language]
        or any(lemma in LEAD_IN_WORDS[language] for lemma in _lemmas(tokens[index], language)[1:2])
    ):
        if _kind_of(tokens[index], language) is not None and index > start:
            break
        index += 1
    return index


def _candidate_starts(text: str, tokens: list[str], language: str) -> list[int]:
    starts = [0, _skip_lead_in(tokens, 0, language)]
    head = tokens[:12]
    for index, token in enumerate(head):
        if token in ANCHOR_WORDS[language]:
            starts.append(_skip_lead_in(tokens, index, language))
            break
    for index, token in enumerate(head):
        if token in CLAUSE_ENDS[language]:
            starts.append(_skip_lead_in(tokens, index + 1, language))
            break
    comma = min((p for p in (text.find(","), text.find(":")) if p >= 0), default=-1)
    if 0 <= comma < 120:
        before = len(_tokens(text[:comma]))
        starts.append(_skip_lead_in(tokens, before, language))
    return list(dict.fromkeys(starts))


def outcome_verb(text: str, language: str) -> VerbCheck:
    """Which kind of verb a learning outcome, written in `language` (fi, sv, en), starts with."""
    if language not in LANGUAGES:
        return VerbCheck(VerbKind.OBSERVABLE)  # no lists for this language: do not guess
    tokens = _tokens(text)
    if not tokens:
        return VerbCheck(VerbKind.MISSING)
    for start in _candidate_starts(text, tokens, language):
        verdict = _verdict_at(tokens, start, language)
        if verdict is not None:
            return verdict
    return VerbCheck(VerbKind.MISSING, tokens[0])
