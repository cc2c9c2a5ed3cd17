"""Benchmark: catalog search on a 50,000 micro-credential catalog, PostgreSQL and SQLite.

Run: ``python bench/search_bench.py`` (``make bench B=search_bench``). Options: ``--size N``,
``--latency-queries N``, ``--judged-per-group N``, ``--databases sqlite,postgres``, ``--rebuild``,
``--postgres-url URL`` (default postgres://postgres@localhost:5432/osaamo_bench).

1. **Catalog.** The Aalto course export (../shared/data/aalto_courses_demo.jsonl) is imported through
   the real importer (`courses_import`, published, one import per department with its ISCED-F
   field), then varied up to N micro-credentials: each imported course is offered again by other
   universities with a varied code, a varied title ("… (verkkokurssi)", "… for professionals"),
   varied scope, level and languages, and one to three upcoming offerings (mode, price, dates,
   language). Then `reindex_all()`. Built once per database (var/bench-search.sqlite3 and the
   PostgreSQL database osaamo_bench) and reused while the source, the size and the code agree.
2. **Latency.** At least 500 varied searches, each text + two filters + every facet count + the
   highlighted page of 20 hits, timed in-process (`search()`); p50/p95/p99 per database.
3. **Relevance.** Known-item queries generated from the export: for a course with a real Finnish
   (or English) title, 1–3 consecutive content words of the title (exact), the same words inflected
   by rules that do not come from the search's own analysis (Finnish case endings with vowel
   harmony, English plural/singular), and the same words with one typing error. The relevant
   results are every catalog entry made from that course. MRR@10 and recall@10 (relevant in the
   top 10 / min(relevant, 10)) per group for Osaamo and for the peer, plain PostgreSQL full-text
   search in the query's language: to_tsvector('finnish' or 'english', title A, outcomes B,
   description C) + plainto_tsquery + ts_rank, over a GIN index, in the same run on the same
   catalog. Latency of the text-only search (top 10) is compared with the peer's on the same queries.
   The compound-splitting analysis is compared with analysis without it on SQLite (--compounds).

Ends with ``bench: <name> <value> <unit> [peer <value> ratio <x>]`` lines.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
COURSES = DATA / "aalto_courses_demo.jsonl"
INSTITUTIONS = DATA / "finnish_higher_education_institutions_codes.csv"
VAR = ROOT / "var"
SQLITE_PATH = VAR / "bench-search.sqlite3"
DEFAULT_POSTGRES_URL = "postgres://postgres@localhost:5432/osaamo_bench"
BUILD_VERSION = 3  # change when the catalog generation changes
GROUPS = ("fi exact", "fi inflected", "fi typo", "en exact", "en inflected", "en typo")

# ISCED-F detailed field of each Aalto department (an interpretation; the export has no ISCED-F).
DEPARTMENT_ISCED = {
    "Department of Art and Media": "0211",
    "Department of Film, Television and Scenography": "0211",
    "Aalto University, Language Centre": "0231",
    "Department of Management": "0413",
    "Department of Design": "0212",
    "Department of Computer Science": "0613",
    "Department of Architecture": "0731",
    "Department of Energy and Mechanical Engineering": "0715",
    "Department of Electrical Engineering and Automation": "0713",
    "Department of Mathematics and Systems Analysis": "0541",
    "Department of Built Environment": "0732",
    "Department of Information and Communications Engineering": "0714",
    "Department of lnformation and Communications Engineering": "0714",
    "Department of Industrial Engineering and Management": "0413",
    "Department of Civil Engineering": "0732",
    "Department of Electronics and Nanoengineering": "0714",
    "Department of Chemistry and Materials Science": "0531",
    "Department of Chemical and Metallurgical Engineering": "0711",
    "Department of Information and Service Management": "0688",
    "Department of Applied Physics": "0533",
    "Department of Accounting": "0411",
    "Department of Economics": "0311",
    "Department of Bioproducts and Biosystems": "0711",
    "Department of Marketing": "0414",
    "Department of Finance": "0412",
    "Department of Neuroscience and Biomedical Engineering": "0914",
}
FALLBACK_ISCED = "0988"
IMPORT_DEFAULTS: dict[str, Any] = {
    "assessment_type": "assignments",
    "assessment_description": {
        "fi": "Harjoitustyöt arvioidaan asteikolla 0–5.",
        "sv": "Övningsarbetena bedöms på skalan 0–5.",
        "en": "The assignments are assessed on a scale of 0–5.",
    },
    "quality_assurance": "internal_qa_audited",
    "identity_verification": "supervised_online_id",
    "stackability": "standalone",
    "participation_form": "online",
}
TITLE_VARIANTS = {
    "fi": ["", " (verkkokurssi)", " – täydennyskoulutus", " 2026", " (avoin yliopisto)", " työelämään"],
    "sv": ["", " (distans)", " – fortbildning", " 2026", " (öppna universitetet)", " för arbetslivet"],
    "en": ["", " (online)", " for professionals", " 2026", " (open university)", " in practice"],
}


# --- shared helpers ---------------------------------------------------------------------------------

def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = max(0, math.ceil(fraction * len(ordered)) - 1)
    return ordered[index]


def catalog_fingerprint(size: int) -> str:
    """Changes when the generated catalog would: the export, the size, the generation code."""
    digest = hashlib.sha256()
    digest.update(COURSES.read_bytes())
    digest.update(f"{size}/{BUILD_VERSION}".encode())
    return digest.hexdigest()[:16]


def index_fingerprint() -> str:
    """Changes when the index would: the analysis and the indexing code."""
    digest = hashlib.sha256()
    for module in ("analysis.py", "indexing.py", "models.py"):
        digest.update((ROOT / "src" / "osaamo" / "catalog" / "search" / module).read_bytes())
    return digest.hexdigest()[:16]


# --- rules for inflected queries (independent of the search's own analysis) -------------------------

BACK_VOWELS = set("aou")
FRONT_VOWELS = set("äöy")
VOWELS = set("aeiouyäö")
GRADATING = re.compile(r"(kk|pp|tt|k|p|t|nk|nt|mp|lt|rt|lk|rk|ht)[aeiouyäö]$")


def _back(word: str) -> bool:
    for letter in reversed(word):
        if letter in BACK_VOWELS:
            return True
        if letter in FRONT_VOWELS:
            return False
    return False


def _harmony(ending: str, back: bool) -> str:
    return ending if back else ending.translate(str.maketrans("aou", "äöy"))


def inflect_fi(word: str, rng: random.Random) -> str | None:
    """One Finnish case form of a nominative singular noun or adjective, by textbook rules; None if unsure."""
    if len(word) < 5 or not word.isalpha():
        return None
    back = _back(word)
    forms: list[str] = []
    if word.endswith("nen"):  # johtaminen → johtamisen, johtamista, johtamisessa
        stem = word[:-3]
        forms = [stem + "sen", stem + _harmony("sta", back), stem + _harmony("sessa", back)]
    elif word.endswith(("uus", "yys")):  # kestävyys → kestävyyden, kestävyyttä, kestävyydessä
        stem = word[:-1]
        forms = [stem + "den", stem + _harmony("tta", back), stem + _harmony("dessa", back)]
    elif word.endswith(("ous", "eus", "äus")):  # talous → talouden, taloutta
        stem = word[:-1]
        forms = [stem + "den", stem + _harmony("tta", back)]
    elif word.endswith(("us", "ys")) and word[-3] not in VOWELS:  # rahoitus → rahoituksen, rahoitusta
        stem = word[:-1]
        forms = [stem + "ksen", word + _harmony("ta", back), stem + _harmony("ksessa", back)]
    elif word.endswith(("ia", "iä")):  # energia → energiaa, energian, energiassa, energiaan
        forms = [word + word[-1], word + "n", word + _harmony("ssa", back), word + word[-1] + "n"]
    elif word[-1] in "aäoöuyi" and word[-2] not in VOWELS and (word[-1] != "i" or len(word) >= 7):
        # Strong grade (no consonant gradation): partitive, illative, essive; weak-grade cases only
        # when the last syllable has no k, p or t.
        forms = [word + _harmony("a", back), word + word[-1] + "n", word + _harmony("na", back)]
        if not GRADATING.search(word):
            forms += [word + "n", word + _harmony("ssa", back), word + _harmony("sta", back), word + _harmony("lla", back)]
    if not forms:
        return None
    return rng.choice(forms)


EN_UNCOUNTABLE = {"data", "media", "criteria", "research", "software", "hardware", "information", "knowledge",
                  "management", "energy", "health", "safety", "security", "english", "finnish", "swedish"}


def inflect_en(word: str, rng: random.Random) -> str | None:
    """The plural of a singular noun or the singular of a plural one; None if unsure."""
    if (len(word) < 4 or not word.isalpha() or word in EN_UNCOUNTABLE
            or word.endswith(("ing", "ed", "al", "ic", "ics", "ive", "ous", "ss", "us", "ful", "less", "ary"))):
        return None
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("sis"):
        return word[:-2] + "es"
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    if word.endswith("y") and word[-2] not in VOWELS:
        return word[:-1] + "ies"
    if word.endswith(("ch", "sh", "x")):
        return word + "es"
    return word + "s"


def typo(word: str, rng: random.Random, alphabet: str) -> str:
    """`word` with one typing error: a letter missing, wrong, doubled/extra, or two letters swapped."""
    while True:
        position = rng.randrange(1, len(word))  # people rarely mistype the first letter
        kind = rng.choice(("delete", "replace", "insert", "swap"))
        if kind == "delete":
            result = word[:position] + word[position + 1:]
        elif kind == "replace":
            result = word[:position] + rng.choice(alphabet) + word[position + 1:]
        elif kind == "insert":
            result = word[:position] + rng.choice(alphabet) + word[position:]
        else:
            position = min(position, len(word) - 2)
            result = word[:position] + word[position + 1] + word[position] + word[position + 2:]
        if result != word:
            return result


TOKEN = re.compile(r"[^\W\d_]+")
QUERY_STOP = {
    "ja", "tai", "sekä", "the", "and", "of", "to", "in", "for", "on", "a", "an", "with", "i", "ii", "iii", "iv", "v",
    "lectures", "lecture", "luento", "capstone", "course", "kurssi", "project", "projekti", "seminar", "seminaari",
    "part", "osa",
}


def title_words(title: str) -> list[str]:
    return [word for word in TOKEN.findall(title.lower()) if word not in QUERY_STOP and len(word) > 2]


def judged_queries(courses: list[dict[str, Any]], per_group: int, seed: int = 20260101) -> list[dict[str, Any]]:
    """[{group, text, code}] known-item queries, the same every run."""
    rng = random.Random(seed)
    queries: list[dict[str, Any]] = []
    for language in ("fi", "en"):
        if language == "fi":
            pool = [c for c in courses if c.get("title_fi") and c["title_fi"] != c.get("title_en")]
        else:
            pool = [c for c in courses if c.get("title_en")]
        pool = sorted(pool, key=lambda c: c["code"])
        rng.shuffle(pool)
        made = {"exact": 0, "inflected": 0, "typo": 0}
        alphabet = "abcdefghijklmnoprstuvyäö" if language == "fi" else "abcdefghijklmnopqrstuvwxyz"
        inflect = inflect_fi if language == "fi" else inflect_en
        for course in pool:
            if min(made.values()) >= per_group:
                break
            found = title_words(course[f"title_{language}"])
            if not found:
                continue
            width = min(len(found), rng.choice((1, 2, 2, 3, 3)))
            start = rng.randrange(0, len(found) - width + 1)
            chosen = found[start:start + width]
            if made["exact"] < per_group:
                queries.append({"group": f"{language} exact", "text": " ".join(chosen), "code": course["code"]})
                made["exact"] += 1
            if made["inflected"] < per_group:
                inflected = [inflect(word, rng) or word for word in chosen]
                if inflected != chosen:
                    queries.append({"group": f"{language} inflected", "text": " ".join(inflected), "code": course["code"]})
                    made["inflected"] += 1
            if made["typo"] < per_group:
                long_words = [i for i, word in enumerate(chosen) if len(word) >= 5]
                if long_words:
                    index = rng.choice(long_words)
                    typed = list(chosen)
                    typed[index] = typo(chosen[index], rng, alphabet)
                    queries.append({"group": f"{language} typo", "text": " ".join(typed), "code": course["code"]})
                    made["typo"] += 1
    return queries


# --- the worker: one database -----------------------------------------------------------------------

def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("OSAAMO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osaamo.settings")
    import django

    django.setup()


def ensure_postgres_database(url: str, *, fresh: bool) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def build_catalog(size: int) -> None:
    """Import the export through the real importer, then vary it up to `size` published micro-credentials."""
    import csv

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from osaamo.accounts.models import Organisation, OrganisationKind
    from osaamo.accounts.services import membership_grant, organisation_create, user_create
    from osaamo.catalog.importing import DEFAULT_LEVEL_MAP, ImportOptions, courses_import
    from osaamo.catalog.models import (
        LearningOutcome,
        MicroCredential,
        MicroCredentialVersion,
        Offering,
        VersionState,
    )
    from osaamo.catalog.search.indexing import reindex_all
    from osaamo.framework.models import IscedField

    call_command("migrate", verbosity=0)
    with INSTITUTIONS.open(encoding="utf-8") as handle:
        institutions = [row for row in csv.DictReader(handle) if row["institution_type"] == "university"]
    providers: list[Organisation] = []
    seen_names: set[str] = set()
    for row in institutions:
        if row["name_en"] in seen_names:
            continue
        seen_names.add(row["name_en"])
        slug = slugify(row["name_en"].replace("University of ", "").replace(" University", ""))[:40] or row["oppilaitoskoodi"]
        organisation = Organisation.objects.filter(slug=slug).first() or organisation_create(
            kind=OrganisationKind.PROVIDER, slug=slug, name={"fi": row["name_fi"], "sv": row["name_sv"], "en": row["name_en"]},
            city="Helsinki",
        )
        providers.append(organisation)
    aalto = next(p for p in providers if p.slug.startswith("aalto"))
    admin = user_create(email="bench.admin@aalto.example", password=None, full_name="Bench Admin",
                        preferred_language="en")
    membership_grant(organisation=aalto, user=admin, role="provider_admin")

    rows = [json.loads(line) for line in COURSES.read_text(encoding="utf-8").split("\n") if line.strip()]
    known_isced = set(IscedField.objects.values_list("code", flat=True))
    by_field: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        code = DEPARTMENT_ISCED.get((row.get("organization_en") or "").strip(), FALLBACK_ISCED)
        by_field[code if code in known_isced else FALLBACK_ISCED].append(json.dumps(row, ensure_ascii=False))
    level_map = {**DEFAULT_LEVEL_MAP, "other-studies": 6}
    started = time.perf_counter()
    published = 0
    for isced, lines in sorted(by_field.items()):
        report = courses_import(provider=aalto, by=admin, lines=lines, options=ImportOptions(
            level_map=level_map, defaults={**IMPORT_DEFAULTS, "isced_f": isced}, publish=True, skip_invalid=True))
        published += report.published
    log(f"imported {len(rows)} courses through courses_import, {published} published "
        f"({time.perf_counter() - started:.0f} s)")

    base = list(
        MicroCredentialVersion.objects.filter(state=VersionState.PUBLISHED, micro_credential__provider=aalto)
        .select_related("micro_credential").prefetch_related("outcomes").order_by("pk")
    )
    today = timezone.localdate()
    now = timezone.now()
    others = [p for p in providers if p.pk != aalto.pk]

    def offerings_for(version: MicroCredentialVersion, seed: int) -> list[Offering]:
        local = random.Random(seed)
        languages = list(version.languages) or ["fi"]
        made = []
        for _ in range(local.choice((1, 1, 2, 2, 3))):
            start = today + timedelta(days=local.randrange(5, 330))
            made.append(Offering(
                version=version, start_date=start, end_date=start + timedelta(days=local.randrange(20, 120)),
                enrolment_opens=now - timedelta(days=5), enrolment_closes=now + timedelta(days=local.randrange(2, 60)),
                mode=local.choice(("online", "online", "onsite", "blended")), place={},
                language=local.choice(languages), seats=local.choice((20, 30, 50, None)), min_participants=5,
                price_individual=Decimal(local.choice((0, 0, 0, 90, 150, 250, 400, 900))),
                price_organisation=Decimal("450.00"),
            ))
        return made

    with transaction.atomic():
        Offering.objects.bulk_create([o for v in base for o in offerings_for(v, v.pk)], batch_size=2000)
    variants_each = max(0, math.ceil((size - len(base)) / max(1, len(base))))
    created = len(base)
    started = time.perf_counter()
    for round_number in range(1, variants_each + 1):
        if created >= size:
            break
        batch = base[: size - created]
        with transaction.atomic():
            micro_credentials = []
            for index, version in enumerate(batch):
                provider = others[(index + round_number) % len(others)]
                code = f"{version.micro_credential.code}.V{round_number:02d}"
                micro_credentials.append(MicroCredential(provider=provider, code=code, slug=slugify(code)[:60],
                                                         created_by=admin))
            MicroCredential.objects.bulk_create(micro_credentials, batch_size=2000)
            versions = []
            for index, (version, micro_credential) in enumerate(zip(batch, micro_credentials, strict=True)):
                local = random.Random(round_number * 100_003 + index)
                suffix_index = local.randrange(len(TITLE_VARIANTS["en"]))
                title = {lang: text + TITLE_VARIANTS[lang][suffix_index] for lang, text in version.title.items()}
                ects = version.ects
                if ects is not None and local.random() < 0.3:
                    ects = max(Decimal(1), min(Decimal(59), ects + local.choice((-2, -1, 1, 2, 5))))
                languages = list(version.languages)
                if local.random() < 0.3:
                    languages = list(dict.fromkeys([*languages, local.choice(("fi", "sv", "en"))]))
                varied = MicroCredentialVersion(
                    micro_credential=micro_credential, number=1, state=VersionState.PUBLISHED, title=title,
                    description=version.description, target_group=version.target_group,
                    prerequisites=version.prerequisites, ects=ects,
                    hours=int(ects * 27) if ects is not None else version.hours,
                    eqf_level=version.eqf_level if local.random() < 0.8 else local.choice((5, 6, 7)),
                    cycle=version.cycle, isced_field_id=version.isced_field_id, languages=languages,
                    assessment_type=version.assessment_type, assessment_description=version.assessment_description,
                    participation_form=version.participation_form, quality_assurance=version.quality_assurance,
                    quality_assurance_description=version.quality_assurance_description,
                    identity_verification=version.identity_verification, stackability=version.stackability,
                    grading_scale=version.grading_scale, published_at=now - timedelta(days=local.randrange(0, 700)),
                    created_by=admin, published_by=admin,
                )
                versions.append(varied)
            MicroCredentialVersion.objects.bulk_create(versions, batch_size=2000)
            outcomes = []
            for version, varied in zip(batch, versions, strict=True):
                for outcome in version.outcomes.all():
                    outcomes.append(LearningOutcome(version=varied, position=outcome.position, text=outcome.text))
            LearningOutcome.objects.bulk_create(outcomes, batch_size=5000)
            Offering.objects.bulk_create([o for v in versions for o in offerings_for(v, v.pk)], batch_size=5000)
        created += len(batch)
        log(f"varied: {created} micro-credentials ({time.perf_counter() - started:.0f} s)")
    started = time.perf_counter()
    count = reindex_all(progress=lambda done, total: done % 10_000 == 0 and log(f"indexed {done}/{total}"))
    log(f"reindex_all: {count} documents in {time.perf_counter() - started:.0f} s")


def build_peer() -> None:
    """The peer's index: PostgreSQL FTS per language, title A, outcomes B, description C, GIN."""
    from django.db import connection

    statements = [
        "DROP TABLE IF EXISTS bench_peer",
        "CREATE TABLE bench_peer (version_id bigint PRIMARY KEY, tsv_fi tsvector, tsv_en tsvector)",
        """INSERT INTO bench_peer
        SELECT v.id,
          setweight(to_tsvector('finnish', coalesce(v.title->>'fi', '')), 'A')
            || setweight(to_tsvector('finnish', coalesce(o.fi, '')), 'B')
            || setweight(to_tsvector('finnish', coalesce(v.description->>'fi', '')), 'C'),
          setweight(to_tsvector('english', coalesce(v.title->>'en', '')), 'A')
            || setweight(to_tsvector('english', coalesce(o.en, '')), 'B')
            || setweight(to_tsvector('english', coalesce(v.description->>'en', '')), 'C')
        FROM catalog_microcredentialversion v
        LEFT JOIN (SELECT version_id, string_agg(text->>'fi', ' ') AS fi, string_agg(text->>'en', ' ') AS en
                   FROM catalog_learningoutcome GROUP BY version_id) o ON o.version_id = v.id
        WHERE v.state = 'published'""",
        "CREATE INDEX bench_peer_fi ON bench_peer USING gin (tsv_fi)",
        "CREATE INDEX bench_peer_en ON bench_peer USING gin (tsv_en)",
        "ANALYZE bench_peer",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def peer_search(text: str, language: str) -> list[int]:
    from django.db import connection

    config, column = ("finnish", "tsv_fi") if language == "fi" else ("english", "tsv_en")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT version_id FROM bench_peer, plainto_tsquery('{config}', %s) q WHERE {column} @@ q"  # noqa: S608
            f" ORDER BY ts_rank({column}, q) DESC, version_id LIMIT 10",
            [text],
        )
        return [row[0] for row in cursor.fetchall()]


def course_records() -> list[dict[str, Any]]:
    """The imported courses as the catalog has them (titles per language), with every entry made from each."""
    from osaamo.catalog.models import MicroCredentialVersion, VersionState

    entries: dict[str, list[int]] = defaultdict(list)
    titles: dict[str, dict[str, str]] = {}
    for pk, code, title in MicroCredentialVersion.objects.filter(state=VersionState.PUBLISHED).values_list(
        "pk", "micro_credential__code", "title"
    ):
        source = code.rsplit(".V", 1)[0]
        entries[source].append(pk)
        if ".V" not in code:
            titles[source] = title
    return [
        {"code": code, "title_fi": title.get("fi", ""), "title_en": title.get("en", ""), "entries": entries[code]}
        for code, title in sorted(titles.items())
    ]


def latency_queries(courses: list[dict[str, Any]], judged: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Text + two filters, as someone narrows a search: texts from the judged set and common title
    words, and two filters chosen among the values the text's own facets offer (not always empty)."""
    from osaamo.catalog.search.engine import SearchQuery, search
    from osaamo.catalog.search.facets import ECTS_RANGE_BY_KEY

    rng = random.Random(99)
    word_counts: dict[str, int] = defaultdict(int)
    for course in courses:
        for word in title_words(course["title_en"]) + title_words(course["title_fi"]):
            word_counts[word] += 1
    common = [word for word, n in sorted(word_counts.items(), key=lambda item: (-item[1], item[0]))[:200]]
    texts = [query["text"] for query in judged] + common + [f"{a} {b}" for a, b in zip(common[::2], common[1::2], strict=False)]
    names = {"eqf_level": "eqf_levels", "isced": "isced", "language": "language", "mode": "mode",
             "provider": "provider", "price": "price", "ects": "ects", "start_month": "start_month"}
    sorts = ["relevance"] * 7 + ["start", "price", "ects"]
    made = []
    while len(made) < count:
        text = rng.choice(texts)
        facets = search(SearchQuery(text=text, limit=0), highlight=False).facets
        offered = sorted(name for name, values in facets.items() if values)
        if len(offered) < 2:
            continue
        query: dict[str, Any] = {"text": text, "sort": rng.choice(sorts)}
        for facet in rng.sample(offered, 2):
            value = rng.choice(sorted(facets[facet]))
            if facet == "ects":
                item = ECTS_RANGE_BY_KEY[value]
                query["ects_min"], query["ects_max"] = item.low, item.high
            elif facet == "eqf_level":
                query["eqf_levels"] = (int(value),)
            else:
                query[names[facet]] = value
        made.append(query)
    return made


def run_worker(args: argparse.Namespace) -> dict[str, Any]:
    database = args.worker
    url = f"sqlite:///{SQLITE_PATH}" if database == "sqlite" else args.postgres_url
    marker = VAR / f"bench-search-{database}.json"
    built = json.loads(marker.read_text()) if marker.exists() else {}
    fingerprints = {"catalog": catalog_fingerprint(args.size), "index": index_fingerprint()}
    fresh = args.rebuild or built.get("catalog") != fingerprints["catalog"]
    if database == "sqlite":
        VAR.mkdir(exist_ok=True)
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    else:
        ensure_postgres_database(url, fresh=fresh)
    setup_django(url)

    from django.core.management import call_command
    from django.db import connection

    from osaamo.catalog.search.analysis import Analyzer, warm_up
    from osaamo.catalog.search.engine import SearchQuery, Sort, search
    from osaamo.catalog.search.indexing import reindex_all

    warm_up()
    call_command("migrate", verbosity=0, skip_checks=True)  # a kept catalog may predate a migration
    result: dict[str, Any] = {"database": database}
    if fresh:
        log(f"{database}: building a catalog of {args.size} micro-credentials")
        started = time.perf_counter()
        build_catalog(args.size)
        if database == "postgres":
            build_peer()
        result["build_seconds"] = time.perf_counter() - started
    elif built.get("index") != fingerprints["index"]:
        started = time.perf_counter()
        count = reindex_all()
        log(f"{database}: the search code changed, reindexed {count} documents in {time.perf_counter() - started:.0f} s")
    marker.write_text(json.dumps(fingerprints))
    if database == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_peer')")
            if cursor.fetchone()[0] is None:
                build_peer()
            # Measured as a running site has them once autovacuum has been by: a rebuild leaves the old
            # rows behind (twice the pages to read), and the peer's table is new.
            for table in ("catalog_searchtext", "catalog_searchterm", "catalog_searchdocument", "catalog_searchoffering"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    from osaamo.catalog.search.models import SearchDocument

    result["documents"] = SearchDocument.objects.count()
    courses = course_records()
    judged = judged_queries(courses, args.judged_per_group)
    entries = {course["code"]: set(course["entries"]) for course in courses}

    # Relevance and text-only latency, Osaamo (and the peer on PostgreSQL), each query by both in turn
    # (which goes first alternates), so that both see the machine in the same state.
    def evaluate(runs: dict[str, Any]) -> dict[str, dict[str, Any]]:
        per_group: dict[str, dict[str, dict[str, list[float]]]] = {
            name: defaultdict(lambda: defaultdict(list)) for name in runs}
        tops: dict[str, dict[str, list[int]]] = {name: {} for name in runs}
        for number, query in enumerate(judged):
            relevant = entries[query["code"]]
            order = list(runs.items()) if number % 2 == 0 else list(reversed(runs.items()))
            for name, run in order:
                started = time.perf_counter()
                top = run(query)
                elapsed = (time.perf_counter() - started) * 1000
                rank = next((i + 1 for i, pk in enumerate(top) if pk in relevant), None)
                group = per_group[name][query["group"]]
                group["rr"].append(1 / rank if rank else 0.0)
                group["recall"].append(sum(1 for pk in top if pk in relevant) / min(len(relevant), 10))
                group["ms"].append(elapsed)
                tops[name][f"{query['group']}|{query['text']}"] = top
        results = {}
        for name, groups in per_group.items():
            summary = {
                group: {"mrr": statistics.fmean(values["rr"]), "recall": statistics.fmean(values["recall"]),
                        "queries": len(values["rr"]), "p95_ms": percentile(values["ms"], 0.95)}
                for group, values in groups.items()
            }
            all_ms = [ms for values in groups.values() for ms in values["ms"]]
            results[name] = {"name": name, "groups": summary, "p95_ms": percentile(all_ms, 0.95),
                             "p50_ms": percentile(all_ms, 0.5), "tops": tops[name]}
        return results

    def osaamo_top(query: dict[str, Any], analyzer: Analyzer | None = None) -> list[int]:
        options = {"analyzer": analyzer} if analyzer else {}
        found = search(SearchQuery(text=query["text"], limit=10, facets=False), highlight=False, **options)
        return found.version_ids

    def peer_top(query: dict[str, Any]) -> list[int]:
        return peer_search(query["text"], query["group"][:2])

    runs: dict[str, Any] = {"osaamo": osaamo_top} | ({"peer": peer_top} if database == "postgres" else {})
    for query in judged[:30]:  # warm caches
        for run in runs.values():
            run(query)
    evaluated = evaluate(runs)
    result["relevance"] = evaluated["osaamo"]
    if "peer" in evaluated:
        result["peer"] = evaluated["peer"]

    # Latency: text + two filters + facets + a highlighted page.
    queries = latency_queries(courses, judged, args.latency_queries)
    def as_query(spec: dict[str, Any]) -> SearchQuery:
        return SearchQuery(
            text=spec["text"], sort=Sort(spec["sort"]), eqf_levels=tuple(spec.get("eqf_levels", ())),
            isced=spec.get("isced", ""), language=spec.get("language", ""), mode=spec.get("mode", ""),
            provider=spec.get("provider", ""), price=spec.get("price", ""), ects_min=spec.get("ects_min"),
            ects_max=spec.get("ects_max"), start_month=spec.get("start_month", ""), limit=20,
        )

    for spec in queries[:50]:
        search(as_query(spec))
    timings = []
    totals = []
    for spec in queries:
        started = time.perf_counter()
        found = search(as_query(spec))
        timings.append((time.perf_counter() - started) * 1000)
        totals.append(found.total)
    result["latency"] = {
        "queries": len(timings), "p50_ms": percentile(timings, 0.5), "p95_ms": percentile(timings, 0.95),
        "p99_ms": percentile(timings, 0.99), "max_ms": max(timings),
        "median_results": statistics.median(totals), "empty": sum(1 for n in totals if n == 0),
    }
    browse = []
    for spec in queries[:100]:
        started = time.perf_counter()
        search(as_query({**spec, "text": ""}))
        browse.append((time.perf_counter() - started) * 1000)
    result["browse_p95_ms"] = percentile(browse, 0.95)

    if args.compounds and database == "sqlite":
        # The same judged queries with an analysis that does not split compounds (index rebuilt, then restored).
        plain = Analyzer(decompound=False)
        reindex_all(analyzer=plain)
        result["no_compounds"] = evaluate({"no compounds": lambda query: osaamo_top(query, plain)})["no compounds"]
        reindex_all()
    return result


# --- the parent: run the workers, report ------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--latency-queries", type=int, default=600)
    parser.add_argument("--judged-per-group", type=int, default=150)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--compounds", action="store_true", help="also measure analysis without compound splitting")
    parser.add_argument("--worker", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_worker(args), default=str))
        return

    results: dict[str, dict[str, Any]] = {}
    for database in args.databases.split(","):
        command = [sys.executable, __file__, "--worker", database, "--size", str(args.size),
                   "--latency-queries", str(args.latency_queries), "--judged-per-group", str(args.judged_per_group),
                   "--postgres-url", args.postgres_url]
        command += ["--rebuild"] if args.rebuild else []
        command += ["--compounds"] if args.compounds else []
        completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
        if completed.returncode != 0:
            sys.stderr.write(completed.stderr[-5000:])
            raise SystemExit(f"bench: the {database} worker failed")
        sys.stderr.write(completed.stderr)
        results[database] = json.loads(completed.stdout.strip().splitlines()[-1])
    report(results)


def report(results: dict[str, dict[str, Any]]) -> None:
    lines: list[str] = []
    for database, result in results.items():
        latency = result["latency"]
        print(f"{database}: {result['documents']} documents; {latency['queries']} searches (text + 2 filters + facets"
              f" + highlighted page): p50 {latency['p50_ms']:.1f} ms, p95 {latency['p95_ms']:.1f} ms,"
              f" p99 {latency['p99_ms']:.1f} ms, max {latency['max_ms']:.1f} ms; median results"
              f" {latency['median_results']}, empty {latency['empty']}; browse (no text) p95 {result['browse_p95_ms']:.1f} ms")
        lines.append(f"bench: search_p95_{database} {latency['p95_ms']:.2f} ms")
    if "postgres" in results and "sqlite" in results:
        a, b = results["postgres"]["relevance"]["tops"], results["sqlite"]["relevance"]["tops"]
        same = sum(1 for key in a if a[key] == b.get(key))
        print(f"identical top 10 on PostgreSQL and SQLite: {same}/{len(a)} judged queries")
        lines.append(f"bench: identical_top10_share {same / max(1, len(a)):.3f} ratio")
    relevance_db = "postgres" if "postgres" in results else next(iter(results))
    ours = results[relevance_db]["relevance"]
    peer = results[relevance_db].get("peer")
    print(f"\nrelevance on {relevance_db} (MRR@10 / recall@10; queries per group):")
    print(f"  {'group':14} {'osaamo':>17} {'peer':>17}")
    for group in GROUPS:
        o = ours["groups"].get(group)
        if not o:
            continue
        p = peer["groups"][group] if peer else None
        peer_text = f"{p['mrr']:.3f} / {p['recall']:.3f}" if p else "—"
        print(f"  {group:14} {o['mrr']:.3f} / {o['recall']:.3f}   {peer_text:>17}   ({o['queries']})")
        name = group.replace(" ", "_")
        if p:
            lines.append(f"bench: mrr10_{name} {o['mrr']:.3f} score peer {p['mrr']:.3f} ratio {o['mrr'] / max(p['mrr'], 1e-9):.2f}")
            lines.append(f"bench: recall10_{name} {o['recall']:.3f} score peer {p['recall']:.3f} ratio "
                         f"{o['recall'] / max(p['recall'], 1e-9):.2f}")
        else:
            lines.append(f"bench: mrr10_{name} {o['mrr']:.3f} score")
            lines.append(f"bench: recall10_{name} {o['recall']:.3f} score")
    if peer:
        print(f"text-only search (top 10), all judged queries: osaamo p95 {ours['p95_ms']:.1f} ms,"
              f" peer p95 {peer['p95_ms']:.1f} ms (p50 {ours['p50_ms']:.1f} / {peer['p50_ms']:.1f} ms); per group:")
        for group in GROUPS:
            if group in ours["groups"] and group in peer["groups"]:
                print(f"  {group:14} p95 osaamo {ours['groups'][group]['p95_ms']:5.1f} ms"
                      f"   peer {peer['groups'][group]['p95_ms']:5.1f} ms")
        lines.append(f"bench: text_search_p95_postgres {ours['p95_ms']:.2f} ms peer {peer['p95_ms']:.2f} ratio "
                     f"{ours['p95_ms'] / max(peer['p95_ms'], 1e-9):.2f}")
    if "sqlite" in results:
        lines.append(f"bench: text_search_p95_sqlite {results['sqlite']['relevance']['p95_ms']:.2f} ms")
        plain = results["sqlite"].get("no_compounds")
        if plain:
            mine = results["sqlite"]["relevance"]["groups"]
            print("compound splitting (SQLite), MRR@10 with / without:")
            for group in GROUPS:
                if group in plain["groups"]:
                    print(f"  {group:14} {mine[group]['mrr']:.3f} / {plain['groups'][group]['mrr']:.3f}")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
