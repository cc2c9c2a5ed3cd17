"""Assessment results, an offering's assessment settings, CSV uploads awaiting confirmation, and the
API's idempotency keys.

A `Result` belongs to one enrolment (unique): recording it again changes that row, never adds a
second. Recording goes through `services`, which also moves the enrolment to completed or failed
(the enrolment app's hook). The credential a passing result leads to is issued once per enrolment:
its idempotency key `enrolment:<id>` is unique in the credentials table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.models import Organisation
from osaamo.catalog.models import Offering
from osaamo.enrolment.models import Enrolment
from osaamo.framework.vocabularies import IdentityVerification


class IssuingMode(models.TextChoices):
    CONFIRMED = "confirmed", _("When a registrar confirms")
    AUTOMATIC = "automatic", _("Automatically when a passing result is recorded")


class OfferingAssessment(models.Model):
    """How an offering's passing results lead to credentials (default: a registrar confirms).

    Automatic issuing acts with the authority of the registrar who switched it on (`authorised_by`):
    a teacher who records a result does not issue certificates by themselves.
    """

    offering = models.OneToOneField(Offering, on_delete=models.CASCADE, related_name="assessment_settings")
    issuing = models.CharField(_("issuing credentials"), max_length=10, choices=IssuingMode.choices,
                               default=IssuingMode.CONFIRMED)
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assessment settings")
        verbose_name_plural = _("assessment settings")

    def __str__(self) -> str:
        return f"{self.offering_id}: {self.issuing}"


class ResultSource(models.TextChoices):
    FORM = "form", _("Form")
    GRID = "grid", _("Results of the whole group")
    CSV = "csv", _("CSV file")
    API = "api", _("Study information system (API)")


class Result(models.Model):
    """A learner's assessment result in one offering: the grade on the offering's scale and how it was given."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="assessment_result")
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="assessment_results")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessment_results")
    scale = models.CharField(_("grading scale"), max_length=12)
    grade = models.CharField(_("grade"), max_length=12)
    passed = models.BooleanField(_("passed"))
    assessed_on = models.DateField(_("date of assessment"))
    identity_verification = models.CharField(
        _("supervision and identity verification"), max_length=32, choices=IdentityVerification.choices, blank=True
    )
    assessor = models.CharField(_("assessor"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("recorded through"), max_length=8, choices=ResultSource.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        ordering = ["offering_id", "id"]
        indexes = [models.Index(fields=["offering", "passed", "id"])]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.grade}"

    @property
    def grade_label(self) -> str:
        """The grade as people read it ("Pass", "5 (excellent)"), in the active language."""
        from osaamo.assessment.grading import SCALES

        scale = SCALES.get(self.scale)
        return scale.label(self.grade) if scale else self.grade


class ImportState(models.TextChoices):
    PREVIEWED = "previewed", _("Waiting for confirmation")
    APPLIED = "applied", _("Saved")
    DISCARDED = "discarded", _("Discarded")


class ApplyMode(models.TextChoices):
    VALID_ROWS = "valid_rows", _("Save all valid rows and leave out the rows with errors")
    ALL_OR_NOTHING = "all_or_nothing", _("Save only if every row is valid")


class ResultImport(models.Model):
    """An uploaded CSV file as it was previewed: its rows read and checked, waiting for the uploader to apply.

    Applying works on these stored rows, never on a second upload, so what is saved is what was shown.
    """

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="result_imports")
    provider = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="result_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(_("file"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    delimiter = models.CharField(max_length=2)
    columns = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    counts = models.JSONField(default=dict)
    state = models.CharField(_("state"), max_length=10, choices=ImportState.choices, default=ImportState.PREVIEWED)
    mode = models.CharField(_("how to save"), max_length=16, choices=ApplyMode.choices, blank=True)
    outcome = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("result file")
        verbose_name_plural = _("result files")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["offering", "sha256"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.state})"


class IdempotencyKey(models.Model):
    """A write the API has answered, by the client's `Idempotency-Key`: the same key and body get the
    same answer again without a second write; the same key with another body is refused."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API idempotency key")
        verbose_name_plural = _("API idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="assessment_idempotency_unique_key"),
            models.CheckConstraint(condition=~Q(key=""), name="assessment_idempotency_key_not_empty"),
        ]

    def __str__(self) -> str:
        return self.key
