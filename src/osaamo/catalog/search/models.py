"""The search index: what the search engine knows of each published micro-credential.

- `SearchDocument`: one narrow row per published micro-credential with copies of the filter values
  of its published version (a published version never changes, so the copies never go stale).
- `SearchText`: the analysed terms of the document, one column per ranking weight.
- `SearchOffering`: the document's scheduled offerings, narrow (mode, free, dates, price, language);
  whether an offering is still upcoming is decided at query time from its end date.
- `SearchTerm`: the vocabulary of indexed terms with document counts (typo tolerance, rarity).
- `SearchChange`: one row per change, so that every process knows when its snapshot is stale.

Rows are rebuilt from the catalog (`indexing.py`), never edited by hand. The full-text structures
over `SearchText` are kept in step by the database, created by migration `0003_search_tables`
and invisible to Django's model state:

- PostgreSQL: generated `tsvector` columns `tsv_title`, `tsv_skills`, `tsv_outcomes` and `tsv_all`
  built with `array_to_tsvector` from the stored terms (no parser, no dictionary), a GIN index on
  each, without a pending list (`fastupdate` off, migration `0005`: searches never read unsorted
  entries);
- SQLite: an FTS5 table `catalog_searchfts` with the `ascii` tokenizer over the four term columns
  (column filters for the fields), external content = `catalog_searchtext`, kept in step by triggers.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.models import Organisation


class SearchDocument(models.Model):
    micro_credential = models.OneToOneField(
        "catalog.MicroCredential", primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    version = models.OneToOneField(
        "catalog.MicroCredentialVersion", on_delete=models.CASCADE, related_name="search_document"
    )
    provider = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    has_co_providers = models.BooleanField(default=False)
    # Content words of the shortest title translation: a title that the query covers whole ranks first.
    title_length = models.PositiveSmallIntegerField(default=1)
    # ECTS × 10 as an integer: the same comparisons on every database.
    ects_tenths = models.PositiveIntegerField(null=True, blank=True)
    eqf_level = models.PositiveSmallIntegerField(null=True, blank=True)
    isced_code = models.CharField(max_length=4, blank=True)
    isced_broad = models.CharField(max_length=2, blank=True)
    # Languages of the specification and of its scheduled offerings, one bit each (analysis order
    # of osaamo.framework.vocabularies.Language; see indexing.LANGUAGE_BITS).
    language_mask = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return f"search document of {self.micro_credential_id}"


class SearchText(models.Model):
    """The terms of a document (osaamo.catalog.search.analysis), space-separated, one field per weight."""

    document = models.OneToOneField(SearchDocument, primary_key=True, on_delete=models.CASCADE, related_name="text")
    title_terms = models.TextField(blank=True)
    skill_terms = models.TextField(blank=True)
    outcome_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)

    class Meta:
        verbose_name = _("search text")
        verbose_name_plural = _("search texts")

    def __str__(self) -> str:
        return f"search text of {self.document_id}"

    def all_terms(self) -> set[str]:
        return {
            term
            for text in (self.title_terms, self.skill_terms, self.outcome_terms, self.body_terms)
            for term in text.split()
        }


class SearchOffering(models.Model):
    """A scheduled offering of a document, as the filters and facets need it."""

    document = models.ForeignKey(
        SearchDocument, on_delete=models.CASCADE, related_name="offerings", db_index=False  # see the index below
    )
    offering = models.OneToOneField("catalog.Offering", on_delete=models.CASCADE, related_name="+")
    end_date = models.DateField()
    start_date = models.DateField()
    mode = models.CharField(max_length=8)
    price_cents = models.PositiveIntegerField()
    language = models.CharField(max_length=2)

    class Meta:
        verbose_name = _("search offering")
        verbose_name_plural = _("search offerings")
        indexes = [
            # Covers every query of the search: no table access for an offering.
            models.Index(
                fields=["document", "end_date", "mode", "price_cents", "start_date", "language"],
                name="searchoffering_covering",
            )
        ]

    def __str__(self) -> str:
        return f"search offering {self.offering_id}"


class SearchChange(models.Model):
    """One row per change of the index, written in the changing transaction.

    Every process keeps the index's filter values in memory (snapshot.py) and checks before each
    search that the number of rows here and the largest id are what its snapshot saw. A transaction
    that commits late (a smaller id than one already seen) still changes the count; one that rolls
    back leaves nothing. Old rows are removed now and then; that too changes the count.
    """

    micro_credential_id = models.BigIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("search index change")
        verbose_name_plural = _("search index changes")

    def __str__(self) -> str:
        return f"search index change {self.pk}"


class SearchTerm(models.Model):
    """A term that occurs in the index, with the number of documents it occurs in.

    Serves typo tolerance (a query word that is not here is compared with the words that are) and
    rarity weighting. The empty term counts every document. Rows are never deleted while the site
    runs (a term whose count fell to zero matches nothing anyway); `osaamo reindex` rebuilds them.
    """

    term = models.CharField(max_length=64, unique=True)
    document_count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return self.term
