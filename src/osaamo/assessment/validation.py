"""Checking results before they are saved — the same rules for a form, the group grid, a CSV file and
the API — row by row, against the offering's enrolments and the results already recorded.

Problems are kept as codes with parameters (`RowProblem`), so that a stored preview is shown in the
language of whoever reads it, and the API can answer with them per field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from osaamo.assessment.grading import Scale, scale_of
from osaamo.assessment.models import Result
from osaamo.catalog.models import Offering
from osaamo.enrolment.models import PLACE_STATES, Enrolment, EnrolmentState
from osaamo.framework.vocabularies import IdentityVerification

MAX_ASSESSOR = 200
MAX_NOTE = 2000
EARLIEST_DATE = date(2000, 1, 1)
_FINNISH_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

# Every problem a row can have → its message (the parameters are filled in when shown).
MESSAGES: dict[str, Any] = {
    "email_missing": _("The learner's email address is missing."),
    "unknown_learner": _("No learner with the address %(email)s is enrolled on this offering."),
    "unknown_enrolment": _("This learner is not enrolled on this offering."),
    "not_enrolled": _("%(email)s is not enrolled on this offering (%(state)s): only an enrolled learner gets a result."),
    "duplicate": _("%(email)s appears more than once (rows %(lines)s); give each learner one row."),
    "grade_missing": _("The grade is missing."),
    "bad_grade": _("“%(grade)s” is not a grade on this offering's scale (%(scale)s)."),
    "date_missing": _("The date of the assessment is missing."),
    "bad_date": _("“%(date)s” is not a valid date: write it as YYYY-MM-DD (2026-05-31) or D.M.YYYY (31.5.2026)."),
    "future_date": _("The date of the assessment %(date)s is in the future."),
    "early_date": _("The date of the assessment %(date)s is too early."),
    "bad_identity_verification": _("“%(value)s” is not a way of identity verification; use one of: %(allowed)s."),
    "assessor_too_long": _("The assessor's name is longer than %(max)s characters."),
    "note_too_long": _("The note is longer than %(max)s characters."),
    "extra_values": _("The row has %(found)s values but the first row names %(expected)s columns."),
    "credential_issued": _(
        "A credential has already been issued for %(email)s's result. To correct the result, a registrar revokes "
        "the credential first."
    ),
}
STATE_LABELS = {state.value: state.label for state in EnrolmentState}


@dataclass(frozen=True)
class RowProblem:
    code: str
    field: str
    params: dict[str, Any]

    def message(self) -> str:
        params = dict(self.params)
        if "state" in params:
            params["state"] = str(STATE_LABELS.get(params["state"], params["state"])).lower()
        return str(MESSAGES[self.code]) % params if params else str(MESSAGES[self.code])

    def as_data(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "params": self.params}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> RowProblem:
        return cls(code=data["code"], field=data.get("field", ""), params=dict(data.get("params") or {}))


@dataclass
class ResultInput:
    """One result as given: identified by the learner's email address or the enrolment's id."""

    email: str = ""
    grade: Any = ""
    assessed_on: Any = ""
    identity_verification: str = ""
    assessor: str = ""
    note: str = ""
    enrolment_id: int | None = None
    line: int | None = None  # the row's line in a file, or its position in an API batch
    problems: list[dict[str, Any]] = field(default_factory=list)  # found while reading (e.g. extra values)


class RowStatus:
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass
class CheckedRow:
    """A row after checking: its normalised values, what saving it would do, and its problems."""

    input: ResultInput
    status: str
    problems: list[RowProblem]
    enrolment: Enrolment | None = None
    existing: Result | None = None
    grade: str = ""
    passed: bool = False
    assessed_on: date | None = None
    identity_verification: str = ""
    assessor: str = ""
    note: str = ""

    @property
    def is_valid(self) -> bool:
        return self.status != RowStatus.ERROR

    @property
    def writes(self) -> bool:
        return self.status in (RowStatus.NEW, RowStatus.CHANGED)

    def messages(self) -> list[str]:
        return [problem.message() for problem in self.problems]


def parse_date(raw: Any) -> date | None:
    """A date written as YYYY-MM-DD or D.M.YYYY (a `date` as it is); None when it is not a valid date."""
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip()
    match = _ISO_DATE.match(text)
    parts = (int(match[1]), int(match[2]), int(match[3])) if match else None
    if parts is None and (match := _FINNISH_DATE.match(text)):
        parts = (int(match[3]), int(match[2]), int(match[1]))
    if parts is None:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


def identity_verification_code(raw: Any) -> str | None:
    """The vocabulary code for `raw` (a code, or its label in the active language); "" for none; None if unknown."""
    text = " ".join(str(raw or "").split())
    if not text:
        return ""
    lowered = text.lower()
    for choice in IdentityVerification:
        if lowered in (choice.value, str(choice.label).lower()):
            return choice.value
    return None


def _enrolments_by_email(offering: Offering, emails: Iterable[str]) -> dict[str, Enrolment]:
    """The offering's enrolments of these learners (one each: the active one, else the latest cancelled)."""
    found: dict[str, Enrolment] = {}
    wanted = sorted({email for email in emails if email})
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start:start + 1000]
        for enrolment in (Enrolment.objects.filter(offering=offering, learner__email__in=chunk)
                          .select_related("learner").order_by("id")):
            email = enrolment.learner.email.lower()
            current = found.get(email)
            if current is None or current.state == EnrolmentState.CANCELLED:
                found[email] = enrolment
    return found


def _issued_enrolment_ids(enrolment_ids: Sequence[int]) -> set[int]:
    """Enrolments with a credential that stands (valid or suspended): their result may not change."""
    from osaamo.credentials.models import CredentialState, IssuedCredential

    issued: set[int] = set()
    for start in range(0, len(enrolment_ids), 1000):
        keys = [f"enrolment:{pk}" for pk in enrolment_ids[start:start + 1000]]
        issued.update(
            IssuedCredential.objects.filter(idempotency_key__in=keys).exclude(state=CredentialState.REVOKED)
            .values_list("enrolment_id", flat=True)
        )
    return issued


def check_rows(*, offering: Offering, rows: Sequence[ResultInput], today: date | None = None) -> list[CheckedRow]:
    """Check every row (a bounded number of queries, whatever the number of rows); nothing is written."""
    today = today or timezone.localdate()
    scale: Scale = scale_of(offering.version)
    default_verification = offering.version.identity_verification or ""
    emails = [row.email.strip().lower() for row in rows]
    by_email = _enrolments_by_email(offering, emails)
    by_id: dict[int, Enrolment] = {}
    ids = [row.enrolment_id for row in rows if row.enrolment_id]
    if ids:
        by_id = {e.pk: e for e in Enrolment.objects.filter(offering=offering, pk__in=ids).select_related("learner")}
    enrolments: list[Enrolment | None] = []
    for row, email in zip(rows, emails, strict=True):
        enrolments.append(by_id.get(row.enrolment_id) if row.enrolment_id else by_email.get(email))
    known_ids = [e.pk for e in enrolments if e is not None]
    existing = {r.enrolment_id: r for r in Result.objects.filter(enrolment_id__in=known_ids)} if known_ids else {}
    issued = _issued_enrolment_ids(known_ids) if known_ids else set()

    lines_of: dict[int, list[str]] = {}
    for position, enrolment in enumerate(enrolments):
        if enrolment is not None:
            lines_of.setdefault(enrolment.pk, []).append(str(rows[position].line or position + 1))

    checked = []
    for row, email, enrolment in zip(rows, emails, enrolments, strict=True):
        problems = [RowProblem.from_data(p) for p in row.problems]
        shown_email = enrolment.learner.email if enrolment is not None else email
        if enrolment is None:
            if row.enrolment_id:
                problems.append(RowProblem("unknown_enrolment", "email", {}))
            elif not email:
                problems.append(RowProblem("email_missing", "email", {}))
            else:
                problems.append(RowProblem("unknown_learner", "email", {"email": email}))
        elif enrolment.state not in PLACE_STATES:
            problems.append(RowProblem("not_enrolled", "email", {"email": shown_email, "state": enrolment.state}))
        elif len(lines_of[enrolment.pk]) > 1:
            problems.append(RowProblem("duplicate", "email", {
                "email": shown_email, "lines": ", ".join(lines_of[enrolment.pk])}))

        raw_grade = " ".join(str(row.grade if row.grade is not None else "").split())
        grade = scale.parse(raw_grade) if raw_grade else None
        if not raw_grade:
            problems.append(RowProblem("grade_missing", "grade", {}))
        elif grade is None:
            problems.append(RowProblem("bad_grade", "grade", {"grade": raw_grade[:40], "scale": str(scale.description)}))

        raw_date = row.assessed_on
        assessed_on = parse_date(raw_date)
        if raw_date in (None, ""):
            problems.append(RowProblem("date_missing", "assessed_on", {}))
        elif assessed_on is None:
            problems.append(RowProblem("bad_date", "assessed_on", {"date": str(raw_date)[:40]}))
        elif assessed_on > today:
            problems.append(RowProblem("future_date", "assessed_on", {"date": assessed_on.isoformat()}))
        elif assessed_on < EARLIEST_DATE:
            problems.append(RowProblem("early_date", "assessed_on", {"date": assessed_on.isoformat()}))

        verification = identity_verification_code(row.identity_verification)
        if verification is None:
            problems.append(RowProblem("bad_identity_verification", "identity_verification", {
                "value": str(row.identity_verification)[:60], "allowed": ", ".join(IdentityVerification.values)}))
            verification = ""
        verification = verification or default_verification
        assessor = " ".join(str(row.assessor or "").split())
        if len(assessor) > MAX_ASSESSOR:
            problems.append(RowProblem("assessor_too_long", "assessor", {"max": MAX_ASSESSOR}))
        note = str(row.note or "").strip()
        if len(note) > MAX_NOTE:
            problems.append(RowProblem("note_too_long", "note", {"max": MAX_NOTE}))

        current = existing.get(enrolment.pk) if enrolment is not None else None
        values = {"grade": grade or "", "assessed_on": assessed_on, "identity_verification": verification,
                  "assessor": assessor, "note": note}
        status = RowStatus.NEW
        if current is not None:
            same = all(getattr(current, name) == value for name, value in values.items())
            status = RowStatus.UNCHANGED if same else RowStatus.CHANGED
            if not same and enrolment is not None and enrolment.pk in issued:
                problems.append(RowProblem("credential_issued", "grade", {"email": shown_email}))
        if problems:
            status = RowStatus.ERROR
        checked.append(CheckedRow(
            input=row, status=status, problems=problems, enrolment=enrolment, existing=current,
            grade=grade or "", passed=bool(grade) and scale.passes(grade or ""), assessed_on=assessed_on,
            identity_verification=verification, assessor=assessor, note=note,
        ))
    return checked
