"""The search index: one row per published micro-credential, and the vocabulary of indexed terms.

`SearchDocument` holds the analysed terms of the published version, per field, and copies of the
version's own filter values (a published version never changes, so the copies never go stale).
What changes with time or with offerings (upcoming offerings, price, mode, start, an active
provider) is read live from the catalog tables at query time.

The full-text structures are kept in step by the database itself, created by migration
`0002_search` next to these tables and invisible to Django's model state:

- PostgreSQL: generated `tsvector` columns (`tsv_title`, `tsv_skills`, `tsv_outcomes`, `tsv_all`)
  built with `array_to_tsvector` from the stored terms (no parser, no dictionary), and a GIN index
  on `tsv_all`;
- SQLite: an FTS5 table `catalog_searchfts` with the `ascii` tokenizer over the same four columns,
  external content = this table, maintained by the three standard FTS5 triggers.
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

    # Space-separated terms (osaamo.catalog.search.analysis), one field per ranking weight.
    title_terms = models.TextField(blank=True)
    skill_terms = models.TextField(blank=True)
    outcome_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    # Content words of the shortest title translation: a title that the query covers whole ranks first.
    title_length = models.PositiveSmallIntegerField(default=1)

    # ECTS × 10 as an integer: the same comparisons and sums on every database.
    ects_tenths = models.PositiveIntegerField(null=True, blank=True)
    eqf_level = models.PositiveSmallIntegerField(null=True, blank=True)
    isced_code = models.CharField(max_length=4, blank=True)
    isced_broad = models.CharField(max_length=2, blank=True)
    languages = models.CharField(max_length=100, blank=True, help_text="Specification languages as |fi|en|.")
    published_at = models.DateTimeField(null=True, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            models.Index(fields=["eqf_level"], name="searchdoc_eqf"),
            models.Index(fields=["isced_broad"], name="searchdoc_isced"),
            models.Index(fields=["published_at"], name="searchdoc_published"),
        ]

    def __str__(self) -> str:
        return f"search document of {self.micro_credential_id}"

    def all_terms(self) -> set[str]:
        return {
            term
            for text in (self.title_terms, self.skill_terms, self.outcome_terms, self.body_terms)
            for term in text.split()
        }


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
