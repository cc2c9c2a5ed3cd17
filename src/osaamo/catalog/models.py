"""Micro-credential specifications (versioned), their learning outcomes, and offerings.

A `MicroCredential` is the lasting identity a provider owns; each `MicroCredentialVersion` is one
specification of it. A version that has been published never changes again: editing a published
micro-credential starts a new draft version (services.version_edit_or_new).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.models import Organisation
from osaamo.framework.models import EscoSkill, IscedField
from osaamo.framework.vocabularies import (
    AssessmentType,
    Cycle,
    GradingScale,
    IdentityVerification,
    OfferingMode,
    ParticipationForm,
    QualityAssurance,
    Stackability,
)
from osaamo.translation import TranslatedTextField, translated


class MicroCredential(models.Model):
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="micro_credentials")
    code = models.CharField(
        _("code"), max_length=40, help_text=_("The provider's own code, e.g. the course code in its SIS.")
    )
    slug = models.SlugField(_("address"), max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("micro-credential")
        verbose_name_plural = _("micro-credentials")
        constraints = [
            models.UniqueConstraint(fields=["provider", "code"], name="microcredential_unique_code"),
            models.UniqueConstraint(fields=["provider", "slug"], name="microcredential_unique_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.provider.slug}/{self.code}"


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


EDITABLE_STATES = (VersionState.DRAFT, VersionState.IN_REVIEW)


class MicroCredentialVersion(models.Model):
    """One specification of a micro-credential: every element of EU Annex I that the catalog shows."""

    micro_credential = models.ForeignKey(MicroCredential, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=12, choices=VersionState.choices, default=VersionState.DRAFT)

    title = TranslatedTextField(_("title"))
    description = TranslatedTextField(_("description"))
    target_group = TranslatedTextField(_("target group"))
    prerequisites = TranslatedTextField(_("prerequisites"))
    further_information = TranslatedTextField(_("further information"))

    ects = models.DecimalField(
        _("workload (ECTS credits)"), max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    hours = models.PositiveIntegerField(_("workload (hours)"), null=True, blank=True)
    eqf_level = models.PositiveSmallIntegerField(
        _("EQF level"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    cycle = models.CharField(_("QF-EHEA cycle"), max_length=8, choices=Cycle.choices, blank=True)
    isced_field = models.ForeignKey(
        IscedField, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("field of education (ISCED-F)"),
    )
    languages = models.JSONField(_("languages of instruction"), default=list, blank=True)

    assessment_type = models.CharField(
        _("type of assessment"), max_length=32, choices=AssessmentType.choices, blank=True
    )
    assessment_description = TranslatedTextField(_("assessment"))
    grading_scale = models.CharField(
        _("grading scale"), max_length=12, choices=GradingScale.choices, default=GradingScale.ZERO_TO_FIVE
    )
    participation_form = models.CharField(
        _("form of participation"), max_length=16, choices=ParticipationForm.choices, blank=True
    )
    quality_assurance = models.CharField(
        _("type of quality assurance"), max_length=32, choices=QualityAssurance.choices, blank=True
    )
    quality_assurance_description = TranslatedTextField(_("quality assurance"))
    identity_verification = models.CharField(
        _("supervision and identity verification"), max_length=32, choices=IdentityVerification.choices,
        blank=True,
    )
    stackability = models.CharField(
        _("integration and stackability"), max_length=16, choices=Stackability.choices, blank=True
    )
    stackability_description = TranslatedTextField(_("stackability"))

    co_providers = models.ManyToManyField(
        Organisation, blank=True, related_name="co_provided_versions", verbose_name=_("co-providers")
    )

    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("micro-credential version")
        verbose_name_plural = _("micro-credential versions")
        ordering = ["micro_credential_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["micro_credential", "number"], name="version_unique_number"),
            # One working copy and one published version at a time, held by the database itself.
            models.UniqueConstraint(
                fields=["micro_credential"], condition=Q(state__in=["draft", "in_review"]),
                name="version_one_working_copy",
            ),
            models.UniqueConstraint(
                fields=["micro_credential"], condition=Q(state="published"), name="version_one_published"
            ),
        ]
        indexes = [models.Index(fields=["state", "published_at"])]

    def __str__(self) -> str:
        return f"{translated(self.title) or self.micro_credential.code} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def provider(self) -> Organisation:
        return self.micro_credential.provider


class LearningOutcome(models.Model):
    version = models.ForeignKey(MicroCredentialVersion, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(default=0)
    text = TranslatedTextField(_("learning outcome"))
    skills = models.ManyToManyField(EscoSkill, blank=True, related_name="outcomes", verbose_name=_("ESCO skills"))

    class Meta:
        verbose_name = _("learning outcome")
        verbose_name_plural = _("learning outcomes")
        ordering = ["version_id", "position", "id"]

    def __str__(self) -> str:
        return translated(self.text)


class OfferingState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Offering(models.Model):
    """One run of a published micro-credential version."""

    version = models.ForeignKey(MicroCredentialVersion, on_delete=models.PROTECT, related_name="offerings")
    state = models.CharField(_("state"), max_length=12, choices=OfferingState.choices,
                             default=OfferingState.SCHEDULED)
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))
    enrolment_opens = models.DateTimeField(_("enrolment opens"))
    enrolment_closes = models.DateTimeField(_("enrolment closes"))
    mode = models.CharField(_("mode"), max_length=8, choices=OfferingMode.choices)
    place = TranslatedTextField(_("place"))
    language = models.CharField(_("language of instruction"), max_length=2)
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True, help_text=_("Empty: no limit."))
    min_participants = models.PositiveIntegerField(_("minimum participants"), null=True, blank=True)
    price_individual = models.DecimalField(
        _("price for individuals (EUR)"), max_digits=8, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    price_organisation = models.DecimalField(
        _("price per seat for organisations (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    # Demand pooling (osaamo.demand.pooling): with a minimum and a decision date the offering is
    # tentative until it is confirmed (enough participants committed) or cancelled at the decision date.
    decision_date = models.DateField(
        _("decision date"), null=True, blank=True,
        help_text=_("Runs only if the minimum number of participants is reached by this date."),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="offering_dates_order"),
            models.CheckConstraint(
                condition=Q(enrolment_closes__gt=models.F("enrolment_opens")), name="offering_enrolment_order"
            ),
            models.CheckConstraint(condition=Q(price_individual__gte=0), name="offering_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.start_date:%Y-%m-%d}"

    @property
    def is_free(self) -> bool:
        return self.price_individual == 0

    @property
    def is_tentative(self) -> bool:
        """Runs only if enough participants commit by the decision date; not yet decided either way."""
        return (self.state == OfferingState.SCHEDULED and self.decision_date is not None
                and self.min_participants is not None and self.confirmed_at is None)


from osaamo.catalog.search.models import (  # noqa: E402, F401  (the search index)
    SearchChange,
    SearchDocument,
    SearchOffering,
    SearchTerm,
    SearchText,
)
