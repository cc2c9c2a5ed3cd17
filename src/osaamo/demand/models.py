"""Demand: employers' skill needs, seat pledges on tentative offerings, and interest in planned
micro-credentials.

- A `SkillNeed` is an employer's statement of what its people should learn: ESCO skills, free
  text, a region, how many people, by when, and an optional budget per person. It belongs to the
  employer (its tenant); providers see needs only in aggregate on the demand board, with the
  employer's name only when the employer chose to show it.
- A `Pledge` is an employer's promise to buy seats on a *tentative* offering (one with a minimum
  number of participants and a decision date, see `Offering.is_tentative`). Pledged seats count
  towards the minimum; nothing is invoiced. When the offering is confirmed the pledge becomes a
  seat purchase (with its invoice) through the enrolment app; when it is cancelled the pledge is
  released.
- A `PlannedMicroCredential` is a published micro-credential that has no dates yet, put out to
  collect interest; learners' `PlannedInterest` rows are what the provider counts.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.models import Organisation
from osaamo.catalog.models import MicroCredential, Offering
from osaamo.demand.regions import region_choices
from osaamo.enrolment.models import SeatPurchase
from osaamo.framework.models import EscoSkill
from osaamo.translation import TranslatedTextField

MAX_PEOPLE = 10_000


class NeedState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SkillNeed(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="skill_needs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what your people should learn"), max_length=5000, blank=True)
    language = models.CharField(_("language of the text"), max_length=2, choices=settings.LANGUAGES)
    skills = models.ManyToManyField(EscoSkill, blank=True, related_name="+", verbose_name=_("ESCO skills"))
    region = models.CharField(_("region"), max_length=2, choices=region_choices)
    people = models.PositiveIntegerField(
        _("number of people"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PEOPLE)]
    )
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    budget_per_person = models.DecimalField(
        _("budget per person (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    show_name = models.BooleanField(
        _("show our name to universities"), default=False,
        help_text=_("Otherwise universities see this need without your organisation's name."),
    )
    state = models.CharField(_("state"), max_length=8, choices=NeedState.choices, default=NeedState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("skill need")
        verbose_name_plural = _("skill needs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "region"])]
        constraints = [
            models.CheckConstraint(condition=Q(people__gte=1), name="skillneed_people_positive"),
            models.CheckConstraint(
                condition=Q(budget_per_person__isnull=True) | Q(budget_per_person__gte=0),
                name="skillneed_budget_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.slug}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state == NeedState.OPEN


class PledgeState(models.TextChoices):
    PLEDGED = "pledged", _("Pledged")
    PURCHASED = "purchased", _("Bought")
    RELEASED = "released", _("Released: the offering did not run")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NOT_CONVERTED = "not_converted", _("Could not be bought")


class Pledge(models.Model):
    """Seats an employer promises to buy if a tentative offering runs; nothing is invoiced before that."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="pledges")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pledges")
    need = models.ForeignKey(SkillNeed, null=True, blank=True, on_delete=models.SET_NULL, related_name="pledges")
    pledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    quantity = models.PositiveIntegerField(_("seats"))
    unit_price = models.DecimalField(_("price per seat when pledged"), max_digits=8, decimal_places=2)
    billing = models.JSONField(default=dict)
    language = models.CharField(_("language of the invoice"), max_length=2, choices=settings.LANGUAGES)
    state = models.CharField(_("state"), max_length=16, choices=PledgeState.choices, default=PledgeState.PLEDGED)
    purchase = models.OneToOneField(
        SeatPurchase, null=True, blank=True, on_delete=models.PROTECT, related_name="pledge"
    )
    note = models.CharField(max_length=300, blank=True)  # why a pledge could not be bought
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("seat pledge")
        verbose_name_plural = _("seat pledges")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="pledge_quantity_positive"),
            models.UniqueConstraint(
                fields=["offering", "organisation"], condition=Q(state="pledged"), name="pledge_one_open_per_employer"
            ),
            models.CheckConstraint(
                condition=Q(state="purchased", purchase__isnull=False) | ~Q(state="purchased"),
                name="pledge_purchased_has_purchase",
            ),
        ]
        indexes = [models.Index(fields=["offering", "state"])]

    def __str__(self) -> str:
        return f"{self.organisation.slug} × {self.quantity} → {self.offering_id} ({self.state})"


class PlannedMicroCredential(models.Model):
    """A published micro-credential put out as planned (no dates yet), to see who would take it."""

    micro_credential = models.OneToOneField(MicroCredential, on_delete=models.CASCADE, related_name="plan")
    timing = TranslatedTextField(_("expected timing"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("planned micro-credential")
        verbose_name_plural = _("planned micro-credentials")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.micro_credential} (planned)"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PlannedInterest(models.Model):
    plan = models.ForeignKey(PlannedMicroCredential, on_delete=models.CASCADE, related_name="interests")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="planned_interests")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interest in a planned micro-credential")
        verbose_name_plural = _("interest in planned micro-credentials")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "learner"], name="planned_interest_once")]

    def __str__(self) -> str:
        return f"{self.learner} → {self.plan}"
