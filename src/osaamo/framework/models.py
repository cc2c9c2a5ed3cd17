"""Reference taxonomies kept in the database: ISCED-F 2013 fields and ESCO skills.

Both are loaded by data migrations from files shipped in `osaamo/framework/data/` (see its README
for sources and licences). EQF levels are a small fixed table in `osaamo.framework.eqf`.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from osaamo.framework.reference import esco_search_fields
from osaamo.translation import TranslatedTextField, translated


class IscedField(models.Model):
    """An ISCED-F 2013 field of education and training (broad 2, narrow 3, detailed 4 digits)."""

    class Level(models.TextChoices):
        BROAD = "broad", _("Broad field")
        NARROW = "narrow", _("Narrow field")
        DETAILED = "detailed", _("Detailed field")

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    label = TranslatedTextField(_("label"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("ISCED-F field")
        verbose_name_plural = _("ISCED-F fields")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {translated(self.label)}"

    @property
    def uri(self) -> str:
        return f"http://data.europa.eu/snb/isced-f/{self.code}"


class EscoSkill(models.Model):
    """An ESCO v1.2 skill or knowledge concept (labels in English; ESCO has fi/sv we do not ship yet)."""

    uri = models.CharField(_("ESCO URI"), max_length=120, unique=True)
    preferred_label = TranslatedTextField(_("preferred label"))
    alt_labels = models.TextField(_("alternative labels"), blank=True, help_text="One per line.")
    description = models.TextField(_("description"), blank=True)
    skill_type = models.CharField(_("skill type"), max_length=32, blank=True)
    collections = models.CharField(_("collections"), max_length=120, blank=True)
    # Lower-case copies for the skill picker's search (selectors.esco_search), kept in step by
    # save() and by the loader (reference.py), so a search is one scan with no function calls.
    search_label = models.CharField(max_length=255, blank=True, editable=False)
    search_alt_labels = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("ESCO skill")
        verbose_name_plural = _("ESCO skills")
        ordering = ["uri"]

    def __str__(self) -> str:
        return translated(self.preferred_label) or self.uri

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_label, self.search_alt_labels = esco_search_fields(self.preferred_label, self.alt_labels)
        super().save(*args, **kwargs)

    @property
    def uuid(self) -> str:
        return self.uri.rsplit("/", 1)[-1]
