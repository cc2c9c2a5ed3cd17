"""Finland's regions (maakunnat / landskap) as a vocabulary, and where an offering takes place.

The codes are Statistics Finland's region codes (the national code list `maakunta`, 01–21; 03 and
20 are no longer in use), the names the official ones in Finnish, Swedish and English. Employers
state the region where their people work; an on-site or blended offering fits a need when it is
held in that region, an online offering fits every region.

An offering has no region field: it is read from its place ("Helsinki, Kumpula campus",
"Tampereen yliopisto") by the municipalities below, else from the city of the provider. The list
holds the towns with a university or a university of applied sciences campus and the other large
towns; a place it does not know is "region not known", never a wrong region.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from osaamo.translation import translated


@dataclass(frozen=True)
class Region:
    code: str  # Statistics Finland's code
    iso: str  # ISO 3166-2:FI
    names: Mapping[str, str]

    @property
    def name(self) -> str:
        return translated(self.names)


REGIONS: tuple[Region, ...] = (
    Region("01", "FI-18", {"fi": "Uusimaa", "sv": "Nyland", "en": "Uusimaa"}),
    Region("02", "FI-19", {"fi": "Varsinais-Suomi", "sv": "Egentliga Finland", "en": "Southwest Finland"}),
    Region("04", "FI-17", {"fi": "Satakunta", "sv": "Satakunta", "en": "Satakunta"}),
    Region("05", "FI-06", {"fi": "Kanta-Häme", "sv": "Egentliga Tavastland", "en": "Kanta-Häme"}),
    Region("06", "FI-11", {"fi": "Pirkanmaa", "sv": "Birkaland", "en": "Pirkanmaa"}),
    Region("07", "FI-16", {"fi": "Päijät-Häme", "sv": "Päijänne-Tavastland", "en": "Päijät-Häme"}),
    Region("08", "FI-09", {"fi": "Kymenlaakso", "sv": "Kymmenedalen", "en": "Kymenlaakso"}),
    Region("09", "FI-02", {"fi": "Etelä-Karjala", "sv": "Södra Karelen", "en": "South Karelia"}),
    Region("10", "FI-04", {"fi": "Etelä-Savo", "sv": "Södra Savolax", "en": "South Savo"}),
    Region("11", "FI-15", {"fi": "Pohjois-Savo", "sv": "Norra Savolax", "en": "North Savo"}),
    Region("12", "FI-13", {"fi": "Pohjois-Karjala", "sv": "Norra Karelen", "en": "North Karelia"}),
    Region("13", "FI-08", {"fi": "Keski-Suomi", "sv": "Mellersta Finland", "en": "Central Finland"}),
    Region("14", "FI-03", {"fi": "Etelä-Pohjanmaa", "sv": "Södra Österbotten", "en": "South Ostrobothnia"}),
    Region("15", "FI-12", {"fi": "Pohjanmaa", "sv": "Österbotten", "en": "Ostrobothnia"}),
    Region("16", "FI-07", {"fi": "Keski-Pohjanmaa", "sv": "Mellersta Österbotten", "en": "Central Ostrobothnia"}),
    Region("17", "FI-14", {"fi": "Pohjois-Pohjanmaa", "sv": "Norra Österbotten", "en": "North Ostrobothnia"}),
    Region("18", "FI-05", {"fi": "Kainuu", "sv": "Kajanaland", "en": "Kainuu"}),
    Region("19", "FI-10", {"fi": "Lappi", "sv": "Lappland", "en": "Lapland"}),
    Region("21", "FI-01", {"fi": "Ahvenanmaa", "sv": "Åland", "en": "Åland"}),
)
BY_CODE: dict[str, Region] = {region.code: region for region in REGIONS}
CODES: tuple[str, ...] = tuple(BY_CODE)


def region(code: str | None) -> Region | None:
    return BY_CODE.get(code or "")


def region_name(code: str | None, language: str | None = None) -> str:
    found = region(code)
    return translated(found.names, language) if found else ""


def region_choices() -> list[tuple[str, str]]:
    """(code, name in the active language) in alphabetical order of the name, for a <select>."""
    return sorted(((r.code, r.name) for r in REGIONS), key=lambda choice: choice[1])


# How places are named. "helsin*" is a word beginning (the stem that "Helsinki", "Helsingin" and
# "Helsingissä" share); any other entry is a whole word, in the base form or with a Finnish case
# ending ("Oulu", "Oulun", "Oulussa"); an entry with a space is two words. Finnish and Swedish names.
_MUNICIPALITIES: dict[str, tuple[str, ...]] = {
    "01": ("helsin*", "espoo*", "esbo", "vantaa*", "vanda", "kauniai*", "grankulla", "porvoo*", "borgå",
           "lohja*", "lojo", "hyvinkä*", "hyvinge", "järvenpää*", "träskända", "kerava*", "kervo",
           "raasepori*", "raseborg", "tammisaare*", "tammisaari", "ekenäs", "kirkkonummi*", "kyrkslätt",
           "tuusula*", "tusby", "nurmijärv*", "sipoo*", "sibbo", "vihti*", "vichtis", "otaniemi*", "viiki*",
           "kumpula*", "meilahde*", "meilahti", "uusimaa", "uudellamaalla", "uudenmaan", "nyland"),
    "02": ("turku", "turu", "åbo", "salo", "kaarina*", "raisio*", "naantali*", "nådendal", "uusikaupunki",
           "uudessakaupungissa", "nystad", "parainen", "paraisi*", "pargas", "loimaa*",
           "varsinais-suom*", "egentliga finland"),
    "04": ("pori", "björneborg", "rauma*", "raumo", "huittis*", "huittinen", "kankaanpää*", "satakun*"),
    "05": ("hämeenlinn*", "tavastehus", "riihimä*", "forssa*", "kanta-häme*", "egentliga tavastland"),
    "06": ("tamper*", "tammerfors", "hervan*", "nokia", "ylöjärv*", "kangasal*", "lempäälä*", "pirkkala*",
           "birkala", "valkeakos*", "sastamala*", "pirkanmaa*", "birkaland"),
    "07": ("lahti", "lahde", "lahdessa", "lahdesta", "lahteen", "lahtis", "heinola*", "hollola*", "orimattila*",
           "päijät-häme*", "päijänne-tavastland"),
    "08": ("kotka", "kouvola*", "hamina", "fredrikshamn", "kymenlaakso*", "kymmenedalen"),
    "09": ("lappeenran*", "villmanstrand", "imatra*", "etelä-karjala*", "södra karelen"),
    "10": ("mikkeli", "s:t michel", "savonlinna*", "nyslott", "pieksämä*", "etelä-savo*", "södra savolax"),
    "11": ("kuopio*", "idensalmi", "iisalm*", "varkaus", "varkaude*", "siilinjärv*", "pohjois-savo*",
           "norra savolax"),
    "12": ("joensuu*", "kitee*", "lieksa*", "nurmes*", "pohjois-karjala*", "norra karelen"),
    "13": ("jyväskyl*", "jämsä*", "äänekos*", "saarijärv*", "keski-suom*", "mellersta finland"),
    "14": ("seinäjo*", "lapua*", "lappo", "kauhajo*", "kauhava*", "alavu*", "alavo", "ilmajo*",
           "etelä-pohjanmaa*", "södra österbotten"),
    "15": ("vaasa*", "vasa", "pietarsaar*", "jakobstad", "kristiinankaupun*", "kristinestad", "närpiö*",
           "närpes", "mustasaar*", "korsholm", "uusikaarlepyy*", "nykarleby", "pohjanmaa*", "österbotten"),
    "16": ("kokkola*", "karleby", "kannus", "keski-pohjanmaa*", "mellersta österbotten"),
    "17": ("oulu", "uleåborg", "raahe*", "brahestad", "ylivieska*", "kuusamo*", "nivala*", "oulainen",
           "pohjois-pohjanmaa*", "norra österbotten"),
    "18": ("kajaani*", "kajana", "sotkamo*", "kuhmo*", "suomussalm*", "kainuu*", "kajanaland"),
    "19": ("rovaniem*", "kemi", "tornio*", "torneå", "kemijärv*", "sodankylä*", "inari*", "enare", "lappi",
           "lapi", "lappland", "lapland"),
    "21": ("maarianhamin*", "mariehamn", "jomala*", "ahvenanmaa*", "åland"),
}
# Finnish case endings a whole-word entry may carry ("Oulu" → "Oulun", "Oulussa", "Ouluun").
_ENDINGS = ("", "n", "ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "lle", "an", "än", "en", "in",
            "on", "un", "yn", "ön", "hin", "hun", "seen")
# Words that begin like a place but are not one ("kemia" is chemistry, "salonki" a salon).
_NOT_PLACES = frozenset({"kemia", "kemiaa", "kemian", "kemiassa", "salonki", "vasara", "kotkat"})
# "Pohjanmaa" alone is Ostrobothnia (15); the compound names of the other Ostrobothnias are longer
# entries and are tried first.
_ORDERED = sorted(
    ((code, entry) for code, entries in _MUNICIPALITIES.items() for entry in entries),
    key=lambda item: -len(item[1]),
)


def _names(word: str, entry: str) -> bool:
    if entry.endswith("*"):
        return word.startswith(entry[:-1])
    return any(word == entry + ending for ending in _ENDINGS)


def region_of_place(text: str | None) -> str | None:
    """The region a place text names ("Kumpulan kampus, Helsinki" → "01"); None when it names no known place."""
    words = [word for word in re.findall(r"[\w:-]+", (text or "").lower()) if word not in _NOT_PLACES]
    if not words:
        return None
    pairs = [f"{first} {second}" for first, second in itertools.pairwise(words)]
    for code, entry in _ORDERED:
        candidates = pairs if " " in entry else words
        if any(_names(word, entry) for word in candidates):
            return code
    return None


def region_of_offering(offering: Any, provider: Any = None) -> str | None:
    """Where an offering is held: the place it names in any language, else the provider's city."""
    for text in (offering.place or {}).values():
        found = region_of_place(text)
        if found:
            return found
    provider = provider or offering.version.micro_credential.provider
    return region_of_place(getattr(provider, "city", ""))


__all__ = ["CODES", "REGIONS", "Region", "region", "region_choices", "region_name", "region_of_offering",
           "region_of_place"]
