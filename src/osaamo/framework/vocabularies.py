"""The controlled vocabularies of a micro-credential (EU Council Recommendation 2022/C 243/02, Annex I).

Codes are stable (stored in the database and in the API); labels are translated.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Cycle(models.TextChoices):
    """QF-EHEA cycle (Annex I M8 "and cycle, if applicable")."""

    NONE = "none", _("Not applicable")
    SHORT = "short", _("Short cycle")
    FIRST = "first", _("First cycle (bachelor's level)")
    SECOND = "second", _("Second cycle (master's level)")
    THIRD = "third", _("Third cycle (doctoral level)")


# QF-EHEA cycle → EQF level (standards.md §1.4).
EQF_LEVEL_OF_CYCLE: dict[str, int] = {"short": 5, "first": 6, "second": 7, "third": 8}


class AssessmentType(models.TextChoices):
    """Annex I M9: type of assessment."""

    WRITTEN_EXAM = "written_exam", _("Written examination")
    ORAL_EXAM = "oral_exam", _("Oral examination")
    ONLINE_EXAM = "online_exam", _("Online examination")
    ASSIGNMENTS = "assignments", _("Assignments")
    PROJECT_WORK = "project_work", _("Project work")
    PORTFOLIO = "portfolio", _("Portfolio")
    PRACTICAL_DEMONSTRATION = "practical_demonstration", _("Practical demonstration of competence")
    PEER_AND_SELF_ASSESSMENT = "peer_and_self_assessment", _("Peer and self-assessment")
    OTHER = "other", _("Other (described)")


class ParticipationForm(models.TextChoices):
    """Annex I M10: form of participation in the learning activity."""

    ONLINE = "online", _("Online")
    ONSITE = "onsite", _("On-site")
    BLENDED = "blended", _("Blended")
    WORK_BASED = "work_based", _("Work-based learning")


class OfferingMode(models.TextChoices):
    ONLINE = "online", _("Online")
    ONSITE = "onsite", _("On-site")
    BLENDED = "blended", _("Blended")


class QualityAssurance(models.TextChoices):
    """Annex I M11: type of quality assurance used to underpin the micro-credential."""

    INTERNAL_QA_AUDITED = "internal_qa_audited", _(
        "The institution's internal quality assurance, audited by FINEEC (Karvi)"
    )
    INTERNAL_QA = "internal_qa", _("The institution's internal quality assurance")
    EXTERNAL_ACCREDITATION = "external_accreditation", _("External accreditation")
    JOINT_QA = "joint_qa", _("Joint quality assurance of the co-providers")
    OTHER = "other", _("Other (described)")


class IdentityVerification(models.TextChoices):
    """Annex I optional: supervision and identity verification during assessment."""

    UNSUPERVISED_NO_ID = "unsupervised_no_id", _("Unsupervised, no identity verification")
    SUPERVISED_NO_ID = "supervised_no_id", _("Supervised, no identity verification")
    SUPERVISED_ONLINE_ID = "supervised_online_id", _("Supervised online, with identity verification")
    SUPERVISED_ONSITE_ID = "supervised_onsite_id", _("Supervised on-site, with identity verification")


class Stackability(models.TextChoices):
    """Annex I optional: integration / stackability options."""

    STANDALONE = "standalone", _("Stand-alone, independent micro-credential")
    STACKABLE = "stackable", _("Integrated, stackable towards another credential")


class GradingScale(models.TextChoices):
    ZERO_TO_FIVE = "0-5", _("0–5 (0 = fail)")
    PASS_FAIL = "pass_fail", _("Pass / fail")


class Language(models.TextChoices):
    """Languages of instruction (ISO 639-1)."""

    FI = "fi", _("Finnish")
    SV = "sv", _("Swedish")
    EN = "en", _("English")
    SE = "se", _("Northern Sami")
    DE = "de", _("German")
    FR = "fr", _("French")
    ES = "es", _("Spanish")
    RU = "ru", _("Russian")
    ET = "et", _("Estonian")
    IT = "it", _("Italian")
    JA = "ja", _("Japanese")
    ZH = "zh", _("Chinese")


EQF_LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8)
ECTS_MIN = 1
ECTS_MAX = 59
HOURS_PER_ECTS_MIN = 25
HOURS_PER_ECTS_MAX = 30
HOURS_PER_ECTS_FINLAND = 27
