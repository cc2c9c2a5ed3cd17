"""Keeping the search index current: one `SearchDocument` per published micro-credential.

The catalog services call `index_micro_credential()` inside their transaction whenever what the
public catalog shows of a micro-credential changes (publish, retire, a new version, an offering
created, changed or cancelled), so the index commits or rolls back with the change itself.
`reindex_all()` (command `osaamo reindex`) rebuilds everything, e.g. after an upgrade of the
analysis or of the ESCO labels.

The vocabulary (`SearchTerm`) gets a row for every new term in the same transaction, so a query
always knows every indexed term. The document counts, which only weigh rare words above common
ones, are adjusted right after the commit in a short transaction of their own: a long import then
never holds locks on common terms that every other publication also needs. That transaction is a
change of the index too (a `SearchChange`): the searches' snapshots hold the vocabulary.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from osaamo.catalog.models import (
    LearningOutcome,
    MicroCredentialVersion,
    Offering,
    OfferingState,
    VersionState,
)
from osaamo.catalog.search.analysis import (
    DEFAULT_ANALYZER,
    LANGUAGES,
    Analyzer,
    content_word_count,
    joined,
    words,
)
from osaamo.catalog.search.models import SearchChange, SearchDocument, SearchOffering, SearchTerm, SearchText
from osaamo.framework.vocabularies import Language

TOTAL_TERM = ""  # the vocabulary row that counts every document
KEEP_CHANGES = 256  # rows of SearchChange kept; older ones are removed every KEEP_CHANGES changes
LANGUAGE_BITS: dict[str, int] = {code: 1 << index for index, code in enumerate(Language.values)}


def _language(code: str) -> str:
    return code if code in LANGUAGES else "en"


def _translated_terms(values: Iterable[Mapping[str, Any]], analyzer: Analyzer, into: dict[str, None],
                      parts: dict[str, None]) -> None:
    """The terms of each translation into `into`, the parts of its compound words into `parts`."""
    for value in values:
        for code, text in (value or {}).items():
            if isinstance(text, str) and text:
                lang = _language(code)
                for term in analyzer.text_terms(text, lang):
                    into.setdefault(term, None)
                for term in analyzer.text_parts(text, lang):
                    parts.setdefault(term, None)


def _versions_to_index() -> QuerySet[MicroCredentialVersion]:
    return (
        MicroCredentialVersion.objects.filter(state=VersionState.PUBLISHED)
        .select_related("micro_credential__provider")
        .prefetch_related(
            "co_providers",
            Prefetch("outcomes", queryset=LearningOutcome.objects.prefetch_related("skills")),
            Prefetch("offerings", queryset=Offering.objects.filter(state=OfferingState.SCHEDULED)),
        )
    )


class Built:
    """The rows of one document, not saved."""

    def __init__(self, document: SearchDocument, text: SearchText, offerings: list[SearchOffering]) -> None:
        self.document = document
        self.text = text
        self.offerings = offerings


def build_document(version: MicroCredentialVersion, *, analyzer: Analyzer = DEFAULT_ANALYZER) -> Built:
    """The index rows of a published version. Expects the prefetches of `_versions_to_index()`."""
    micro_credential = version.micro_credential
    parts: dict[str, None] = {}  # parts of compound words, from every field: weighted as the body
    title: dict[str, None] = dict.fromkeys(words(micro_credential.code))
    _translated_terms([version.title], analyzer, title, parts)

    outcomes = list(version.outcomes.all())
    skills: dict[str, None] = {}
    outcome_terms: dict[str, None] = {}
    _translated_terms([outcome.text for outcome in outcomes], analyzer, outcome_terms, parts)
    for outcome in outcomes:
        for skill in outcome.skills.all():
            _translated_terms([skill.preferred_label], analyzer, skills, parts)
            _translated_terms([{"en": label} for label in skill.alt_labels.splitlines() if label.strip()],
                              analyzer, skills, parts)

    offerings = list(version.offerings.all())
    co_providers = list(version.co_providers.all())
    body: dict[str, None] = {}
    _translated_terms([version.description, version.target_group], analyzer, body, parts)
    _translated_terms([organisation.name for organisation in [micro_credential.provider, *co_providers]],
                      analyzer, body, parts)
    _translated_terms([offering.place for offering in offerings], analyzer, body, parts)
    for term in parts:
        body.setdefault(term, None)

    today = timezone.localdate()
    languages = {*version.languages, *(o.language for o in offerings if o.end_date >= today)}
    title_lengths = [content_word_count(text) for text in version.title.values() if isinstance(text, str)]
    ects = version.ects
    document = SearchDocument(
        micro_credential_id=micro_credential.pk,
        version_id=version.pk,
        provider_id=micro_credential.provider_id,
        has_co_providers=bool(co_providers),
        title_length=max(1, min((n for n in title_lengths if n), default=1)),
        ects_tenths=int(ects * 10) if ects is not None else None,
        eqf_level=version.eqf_level,
        isced_code=version.isced_field_id or "",
        isced_broad=(version.isced_field_id or "")[:2],
        language_mask=sum(LANGUAGE_BITS.get(code, 0) for code in languages),
        published_at=version.published_at,
    )
    text = SearchText(
        document_id=micro_credential.pk,
        title_terms=joined(title),
        skill_terms=joined(skills),
        outcome_terms=joined(outcome_terms),
        body_terms=joined(body),
    )
    search_offerings = [
        SearchOffering(
            document_id=micro_credential.pk, offering_id=offering.pk, start_date=offering.start_date,
            end_date=offering.end_date, mode=offering.mode, language=offering.language,
            price_cents=int((offering.price_individual or Decimal(0)) * 100),
        )
        for offering in offerings
    ]
    return Built(document, text, search_offerings)


def _text_terms(text: SearchText | None) -> set[str]:
    return set() if text is None else text.all_terms() | {TOTAL_TERM}


def _record_terms(micro_credential_id: int, before: set[str], after: set[str]) -> None:
    """New terms into the vocabulary now; document counts adjusted after the commit."""
    added, removed = after - before, before - after
    if added:
        existing: set[str] = set()
        ordered = sorted(added)
        for start in range(0, len(ordered), 500):
            existing.update(SearchTerm.objects.filter(term__in=ordered[start : start + 500])
                            .values_list("term", flat=True))
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=term, document_count=1) for term in ordered if term not in existing],
            ignore_conflicts=True, batch_size=500,
        )
        added = existing
    if added or removed:
        changes = (sorted(added), sorted(removed))
        transaction.on_commit(lambda: _adjust_counts(micro_credential_id, *changes))


def _adjust_counts(micro_credential_id: int, added: list[str], removed: list[str]) -> None:
    with transaction.atomic():
        _record_change(micro_credential_id)  # the snapshots hold the vocabulary with its counts
        for terms, change in ((added, 1), (removed, -1)):
            for start in range(0, len(terms), 500):
                SearchTerm.objects.filter(term__in=terms[start : start + 500]).update(
                    document_count=F("document_count") + change
                )


_TEXT_FIELDS = ("title_terms", "skill_terms", "outcome_terms", "body_terms")


def _record_change(micro_credential_id: int) -> None:
    change = SearchChange.objects.create(micro_credential_id=micro_credential_id)
    if change.pk % KEEP_CHANGES == 0:
        SearchChange.objects.filter(pk__lte=change.pk - KEEP_CHANGES).delete()


def index_micro_credential(micro_credential_id: int, *, analyzer: Analyzer = DEFAULT_ANALYZER) -> None:
    """Bring the index in line with the micro-credential's current published version (or remove it)."""
    with transaction.atomic():
        _record_change(micro_credential_id)
        version = _versions_to_index().filter(micro_credential_id=micro_credential_id).first()
        document = SearchDocument.objects.filter(pk=micro_credential_id).first()
        text = SearchText.objects.filter(pk=micro_credential_id).first()
        if version is None:
            if document is not None:
                document.delete()  # its text and offerings go with it
                _record_terms(micro_credential_id, _text_terms(text), set())
            return
        built = build_document(version, analyzer=analyzer)
        built.document.save(force_insert=document is None, force_update=document is not None)
        if text is None:
            built.text.save(force_insert=True)
        elif any(getattr(text, name) != getattr(built.text, name) for name in _TEXT_FIELDS):
            built.text.save(force_update=True)  # SQLite: the update trigger re-indexes the FTS tables
        SearchOffering.objects.filter(document_id=micro_credential_id).delete()
        SearchOffering.objects.bulk_create(built.offerings)
        _record_terms(micro_credential_id, _text_terms(text), _text_terms(built.text))


def _chunks(queryset: QuerySet[MicroCredentialVersion], size: int) -> Iterator[list[MicroCredentialVersion]]:
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        yield list(_versions_to_index().filter(pk__in=ids[start : start + size]).order_by("pk"))


def _sqlite_triggers() -> list[str]:
    migration = importlib.import_module("osaamo.catalog.migrations.0003_search_tables")
    return [statement for statement in migration.SQLITE_FORWARD if statement.startswith("CREATE TRIGGER")]


def _gin_indexes() -> tuple[str, ...]:
    return importlib.import_module("osaamo.catalog.migrations.0005_search_gin_fastupdate_off").INDEXES


def _gin_pending_lists(*, on: bool) -> None:
    """PostgreSQL: a rebuild fills the GIN indexes through their pending lists (in bulk, much faster),
    then moves what waits there into the indexes and turns the lists off again (migration 0005)."""
    with connection.cursor() as cursor:
        for index in _gin_indexes():
            cursor.execute(f"ALTER INDEX {index} SET (fastupdate = {'on' if on else 'off'})")
            if not on:
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


def reindex_all(
    *, analyzer: Analyzer = DEFAULT_ANALYZER, batch_size: int = 500,
    progress: Callable[[int, int], Any] | None = None,
) -> int:
    """Rebuild the whole index and the vocabulary with exact document counts; returns the documents."""
    sqlite = connection.vendor == "sqlite"
    with transaction.atomic():
        if sqlite:
            # Row-by-row FTS maintenance through the triggers is slow for a rebuild: drop them,
            # fill the tables, rebuild the FTS tables from their content, put the triggers back.
            with connection.cursor() as cursor:
                for name in ("insert", "delete", "update"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS catalog_searchtext_{name}")
        else:
            _gin_pending_lists(on=True)
        SearchOffering.objects.all().delete()
        SearchText.objects.all().delete()
        SearchDocument.objects.all().delete()
        SearchTerm.objects.all().delete()
        SearchChange.objects.all().delete()
        _record_change(0)
        versions = _versions_to_index()  # inactive providers too: the search leaves them out while inactive
        expected = versions.count()
        counts: Counter[str] = Counter()
        done = 0
        for chunk in _chunks(versions, batch_size):
            built = [build_document(version, analyzer=analyzer) for version in chunk]
            SearchDocument.objects.bulk_create([item.document for item in built])
            SearchText.objects.bulk_create([item.text for item in built])
            SearchOffering.objects.bulk_create([row for item in built for row in item.offerings])
            for item in built:
                counts.update(_text_terms(item.text))
            done += len(built)
            if progress:
                progress(done, expected)
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=term, document_count=count) for term, count in sorted(counts.items())],
            batch_size=2000,
        )
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO catalog_searchfts(catalog_searchfts) VALUES ('rebuild')")
                for statement in _sqlite_triggers():
                    cursor.execute(statement)
        else:
            _gin_pending_lists(on=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return done


def index_status() -> dict[str, int]:
    """How many documents and terms the index has, and how many published versions it should have."""
    return {
        "documents": SearchDocument.objects.count(),
        "terms": SearchTerm.objects.count(),
        "published": MicroCredentialVersion.objects.filter(state=VersionState.PUBLISHED).count(),
    }
