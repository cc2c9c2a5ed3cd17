"""Writing assessment results (one, a group, a CSV file, an API batch), the offering's issuing setting,
and starting the issuing of the credentials that passing results lead to.

Every way in ends in `results_record`: the rows are checked (`validation.check_rows`), then saved in
one transaction — each result row, the enrolment's new state through the enrolment app's hook
(completed or failed), and an audit row per change. A row that is exactly what is recorded already
is "unchanged" and writes nothing, so sending the same results again (the same file, the same API
batch) changes nothing. Credentials are issued after commit, by a background job of the credentials
app, once per enrolment whatever happens (its idempotency key is unique in the database).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.models import Organisation
from osaamo.accounts.selectors import ASSESSOR_ROLES, REGISTRAR_ROLES, has_role
from osaamo.assessment.csvfile import MAX_FILE_BYTES, read_results_csv, too_large
from osaamo.assessment.grading import scale_of
from osaamo.assessment.models import (
    ApplyMode,
    IdempotencyKey,
    ImportState,
    IssuingMode,
    OfferingAssessment,
    Result,
    ResultImport,
    ResultSource,
)
from osaamo.assessment.validation import CheckedRow, ResultInput, RowProblem, RowStatus, check_rows
from osaamo.audit.services import audit_record
from osaamo.catalog.models import Offering
from osaamo.enrolment.models import EnrolmentState
from osaamo.enrolment.services import enrolment_record_result, is_registrar_for
from osaamo.errors import Conflict, InvalidInput, PermissionDenied

logger = logging.getLogger(__name__)


class ResultsRefused(InvalidInput):
    """Some rows have problems and the caller asked for all or nothing: nothing was saved."""

    default_code = "results_invalid"
    default_message = _("Nothing was saved: some results have problems.")


@dataclass
class RecordOutcome:
    """What recording did: every row checked, and whether the valid ones were saved."""

    rows: list[CheckedRow]
    saved: bool
    issuing_started: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)


def _owner(offering: Offering) -> Organisation:
    return offering.version.micro_credential.provider


def _require_assessor(by: Any, offering: Offering) -> None:
    """An administrator, registrar or teacher of the offering's provider (or of a co-provider)."""
    if not is_registrar_for(by, offering, roles=ASSESSOR_ROLES):
        raise PermissionDenied()


def _counts(rows: Sequence[CheckedRow]) -> dict[str, int]:
    counts = {RowStatus.NEW: 0, RowStatus.CHANGED: 0, RowStatus.UNCHANGED: 0, RowStatus.ERROR: 0}
    for row in rows:
        counts[row.status] += 1
    return counts


def _audit_data(row: CheckedRow) -> dict[str, Any]:
    assert row.enrolment is not None
    data: dict[str, Any] = {
        "enrolment": row.enrolment.pk, "learner": row.enrolment.learner.email, "grade": row.grade,
        "passed": row.passed, "assessed_on": row.assessed_on.isoformat() if row.assessed_on else None,
        "identity_verification": row.identity_verification,
    }
    if row.existing is not None:
        data["previous"] = {"grade": row.existing.grade, "passed": row.existing.passed,
                            "assessed_on": row.existing.assessed_on.isoformat()}
    return data


def _save_rows(offering: Offering, rows: Sequence[CheckedRow], *, by: Any, source: str, now: datetime) -> None:
    """Write the rows that change something (inside the caller's transaction)."""
    scale = scale_of(offering.version).code
    provider = _owner(offering)
    recorded_by = by if getattr(by, "is_authenticated", False) else None
    new: list[Result] = []
    changed: list[Result] = []
    audits: list[tuple[str, CheckedRow, dict[str, Any]]] = []
    for row in rows:
        if not row.writes:
            continue
        enrolment = row.enrolment
        assert enrolment is not None and row.assessed_on is not None
        target = EnrolmentState.COMPLETED if row.passed else EnrolmentState.FAILED
        if enrolment.state != target:
            enrolment_record_result(enrolment=enrolment, passed=row.passed, by=by, now=now)
        values = {"grade": row.grade, "passed": row.passed, "scale": scale, "assessed_on": row.assessed_on,
                  "identity_verification": row.identity_verification, "assessor": row.assessor, "note": row.note,
                  "source": source, "recorded_by": recorded_by}
        data = {**_audit_data(row), "source": source}
        if row.existing is None:
            row.existing = Result(enrolment=enrolment, offering=offering, learner_id=enrolment.learner_id, **values)
            new.append(row.existing)
            audits.append(("result.recorded", row, data))
        else:
            for name, value in values.items():
                setattr(row.existing, name, value)
            row.existing.updated_at = now
            changed.append(row.existing)
            audits.append(("result.changed", row, data))
    Result.objects.bulk_create(new, batch_size=500)
    if changed:
        Result.objects.bulk_update(changed, ["grade", "passed", "scale", "assessed_on", "identity_verification",
                                             "assessor", "note", "source", "recorded_by", "updated_at"],
                                   batch_size=500)
    for action, row, data in audits:
        audit_record(action=action, actor=by, organisation=provider, target=row.existing, data=data)


def results_record(
    *,
    offering: Offering,
    by: Any,
    rows: Sequence[ResultInput],
    mode: str = ApplyMode.ALL_OR_NOTHING,
    source: str = ResultSource.FORM,
    now: datetime | None = None,
    after_check: Callable[[list[CheckedRow]], None] | None = None,
) -> RecordOutcome:
    """Check `rows` and save them in one transaction.

    `mode` all_or_nothing saves nothing when any row has a problem (raises `ResultsRefused` with the
    checked rows in `details["rows"]`); valid_rows saves the valid rows and reports the others. Rows
    equal to what is recorded write nothing. Passing results lead to credentials after commit when the
    offering issues automatically.
    """
    if mode not in ApplyMode.values:
        raise InvalidInput(details={"mode": [_("Choose how to save: all valid rows, or only if every row is valid.")]})
    _require_assessor(by, offering)
    now = now or timezone.now()
    with transaction.atomic():
        # The offering row is locked first (as the enrolment services do), so two uploads for the same
        # offering are saved one after the other and each checks what the other saved.
        offering = (Offering.objects.select_for_update(of=("self",))
                    .select_related("version__micro_credential__provider").get(pk=offering.pk))
        checked = check_rows(offering=offering, rows=rows, today=timezone.localdate(now))
        if after_check is not None:
            after_check(checked)
        counts = _counts(checked)
        if counts[RowStatus.ERROR] and mode == ApplyMode.ALL_OR_NOTHING:
            raise ResultsRefused(details={"rows": checked})
        _save_rows(offering, checked, by=by, source=source, now=now)
        outcome = RecordOutcome(rows=checked, saved=True, counts=counts)
        passes = any(row.writes and row.passed for row in checked)
        if passes and offering_assessment(offering).issuing == IssuingMode.AUTOMATIC:
            outcome.issuing_started = True
            offering_id = offering.pk
            transaction.on_commit(lambda: _issue_automatically(offering_id))
    return outcome


def result_record(
    *, enrolment: Any, by: Any, grade: Any, assessed_on: Any, identity_verification: str = "", assessor: str = "",
    note: str = "", source: str = ResultSource.FORM, now: datetime | None = None,
) -> RecordOutcome:
    """Record one learner's result. Problems raise InvalidInput with messages per field."""
    row = ResultInput(enrolment_id=enrolment.pk, grade=grade, assessed_on=assessed_on,
                      identity_verification=identity_verification, assessor=assessor, note=note)
    try:
        return results_record(offering=enrolment.offering, by=by, rows=[row], source=source, now=now)
    except ResultsRefused as error:
        checked: list[CheckedRow] = error.details["rows"]
        details: dict[str, list[str]] = {}
        for problem in checked[0].problems:
            details.setdefault(problem.field, []).append(problem.message())
        raise InvalidInput(details=details) from None


# --- the offering's setting and issuing ----------------------------------------------------------------


def offering_assessment(offering: Offering) -> OfferingAssessment:
    """The offering's settings (not saved while they are the defaults)."""
    found = OfferingAssessment.objects.filter(offering=offering).select_related("authorised_by").first()
    return found or OfferingAssessment(offering=offering)


def _require_issuing_registrar(by: Any, offering: Offering) -> None:
    # Credentials are issued in the name of the micro-credential's owner, by its administrators and registrars.
    if not has_role(by, _owner(offering), REGISTRAR_ROLES):
        raise PermissionDenied(_("Only a registrar or administrator of %(provider)s decides how credentials are "
                                 "issued.") % {"provider": _owner(offering).display_name})


def offering_assessment_update(*, offering: Offering, by: Any, issuing: str) -> OfferingAssessment:
    """Choose how passing results lead to credentials. Switching automatic issuing on also issues for the
    passing results that have no credential yet."""
    _require_issuing_registrar(by, offering)
    if issuing not in IssuingMode.values:
        raise InvalidInput(details={"issuing": [_("Choose one of the listed ways.")]})
    with transaction.atomic():
        settings, created = OfferingAssessment.objects.select_for_update().get_or_create(offering=offering)
        previous = settings.issuing
        settings.issuing = issuing
        settings.authorised_by = by if issuing == IssuingMode.AUTOMATIC else None
        settings.save()
        if previous != issuing or created:
            audit_record(action="assessment.issuing_changed", actor=by, organisation=_owner(offering),
                         target=settings, data={"offering": offering.pk, "issuing": issuing, "previous": previous})
        if issuing == IssuingMode.AUTOMATIC and previous != issuing:
            offering_id = offering.pk
            transaction.on_commit(lambda: _issue_automatically(offering_id))
    return settings


def offering_credentials_issue(*, offering: Offering, by: Any) -> Any:
    """A registrar confirms: issue the credentials of every passing result that has none (a background job).

    Returns the issuing job (an existing one that has not started yet is reused), or None when there is
    nothing to issue.
    """
    from osaamo.assessment.selectors import passing_without_credential

    _require_issuing_registrar(by, offering)
    if not passing_without_credential(offering):
        raise Conflict(_("Every passing result has its credential already."), code="nothing_to_issue")
    return _start_issuing(offering, by)


def _start_issuing(offering: Offering, by: Any) -> Any:
    from osaamo.credentials.models import IssuingJob
    from osaamo.credentials.services import issuing_job_create

    waiting = IssuingJob.objects.filter(offering=offering, state=IssuingJob.State.QUEUED).order_by("id").first()
    if waiting is not None:
        return waiting  # it has not started, so it will see every result committed before it starts
    return issuing_job_create(offering=offering, by=by)


def _issue_automatically(offering_id: int) -> None:
    """After commit: issue under the authority of the registrar who switched automatic issuing on."""
    offering = Offering.objects.select_related("version__micro_credential__provider").get(pk=offering_id)
    settings = offering_assessment(offering)
    if settings.issuing != IssuingMode.AUTOMATIC or settings.authorised_by is None:
        return
    try:
        _start_issuing(offering, settings.authorised_by)
    except PermissionDenied:
        # The registrar who chose automatic issuing is no longer one: the results wait for a registrar
        # to confirm (the offering's page shows them as passing results without a credential).
        logger.warning("automatic issuing for offering %s refused: %s is no longer a registrar",
                       offering_id, settings.authorised_by_id)


# --- CSV files -------------------------------------------------------------------------------------------


def _row_data(row: CheckedRow) -> dict[str, Any]:
    """A checked row as stored in the preview: the values as read, the learner, status and problems."""
    given = row.input
    enrolment = row.enrolment
    data: dict[str, Any] = {
        "line": given.line, "email": given.email, "grade": str(given.grade), "assessed_on": str(given.assessed_on),
        "identity_verification": given.identity_verification, "assessor": given.assessor, "note": given.note,
        "status": row.status, "problems": [p.as_data() for p in row.problems],
        "learner": enrolment.learner.get_full_name() if enrolment is not None else "",
        "read_problems": given.problems,
    }
    if row.grade:
        data["grade_code"] = row.grade
        data["passed"] = row.passed
    if row.existing is not None and row.status == RowStatus.CHANGED:
        data["previous_grade"] = row.existing.grade
    return data


def _input_of(data: Mapping[str, Any]) -> ResultInput:
    return ResultInput(
        email=data.get("email", ""), grade=data.get("grade", ""), assessed_on=data.get("assessed_on", ""),
        identity_verification=data.get("identity_verification", ""), assessor=data.get("assessor", ""),
        note=data.get("note", ""), line=data.get("line"), problems=list(data.get("read_problems") or []),
    )


def result_import_create(
    *, offering: Offering, provider: Organisation, by: Any, filename: str, data: bytes, now: datetime | None = None,
) -> ResultImport:
    """Read and check an uploaded CSV file and keep its preview; nothing else changes. A file that
    cannot be read raises `CsvRefused` with the reason (and nothing is stored)."""
    _require_assessor(by, offering)
    if len(data) > MAX_FILE_BYTES:
        raise too_large(len(data))
    parsed = read_results_csv(data)
    inputs = [
        ResultInput(email=values.get("email", ""), grade=values.get("grade", ""),
                    assessed_on=values.get("assessed_on", ""),
                    identity_verification=values.get("identity_verification", ""),
                    assessor=values.get("assessor", ""), note=values.get("note", ""), line=line,
                    problems=parsed.row_problems.get(line, []))
        for line, values in parsed.rows
    ]
    checked = check_rows(offering=offering, rows=inputs, today=timezone.localdate(now or timezone.now()))
    with transaction.atomic():
        result_import = ResultImport.objects.create(
            offering=offering, provider=provider, uploaded_by=by, filename=(filename or "results.csv")[:255],
            size=len(data), sha256=hashlib.sha256(data).hexdigest(), delimiter=parsed.delimiter,
            columns=parsed.columns + [f"?{name}" for name in parsed.ignored_columns],
            rows=[_row_data(row) for row in checked], counts=_counts(checked),
        )
        audit_record(action="result_import.previewed", actor=by, organisation=provider, target=result_import,
                     data={"offering": offering.pk, "filename": result_import.filename, "size": len(data),
                           "sha256": result_import.sha256, "counts": result_import.counts})
    return result_import


def result_import_apply(*, result_import: ResultImport, by: Any, mode: str, now: datetime | None = None
                        ) -> RecordOutcome:
    """Save the previewed rows (what was shown, not a new upload), all valid ones or all or nothing.

    The rows are checked again in the saving transaction: if something changed since the preview
    (a learner cancelled, someone else saved a result), the new check decides, and in all-or-nothing
    mode the refreshed preview is stored and `ResultsRefused` raised. A file is saved once.
    """
    if mode not in ApplyMode.values:
        raise InvalidInput(details={"mode": [_("Choose how to save: all valid rows, or only if every row is valid.")]})
    outcome: RecordOutcome | None = None
    refreshed: list[CheckedRow] = []

    def keep_check(rows: list[CheckedRow]) -> None:
        refreshed[:] = rows

    try:
        with transaction.atomic():
            locked = ResultImport.objects.select_for_update().get(pk=result_import.pk)
            if locked.state != ImportState.PREVIEWED:
                raise Conflict(_("This file has already been saved or discarded; upload it again to see what it "
                                 "would change now."), code="import_not_pending")
            outcome = results_record(
                offering=locked.offering, by=by, rows=[_input_of(row) for row in locked.rows], mode=mode,
                source=ResultSource.CSV, now=now, after_check=keep_check,
            )
            locked.state = ImportState.APPLIED
            locked.mode = mode
            locked.applied_at = now or timezone.now()
            locked.rows = [_row_data(row) for row in outcome.rows]
            locked.counts = outcome.counts
            locked.outcome = {"saved": outcome.count(RowStatus.NEW) + outcome.count(RowStatus.CHANGED),
                              "left_out": outcome.count(RowStatus.ERROR),
                              "unchanged": outcome.count(RowStatus.UNCHANGED),
                              "issuing_started": outcome.issuing_started}
            locked.save(update_fields=["state", "mode", "applied_at", "rows", "counts", "outcome"])
            audit_record(action="result_import.applied", actor=by, organisation=locked.provider, target=locked,
                         data={"offering": locked.offering_id, "mode": mode, **locked.outcome})
    except ResultsRefused:
        # Nothing was saved; keep what the check found now, so the preview shows it.
        if refreshed:
            ResultImport.objects.filter(pk=result_import.pk).update(
                rows=[_row_data(row) for row in refreshed], counts=_counts(refreshed))
        raise
    assert outcome is not None
    result_import.refresh_from_db()
    return outcome


def result_import_discard(*, result_import: ResultImport, by: Any) -> ResultImport:
    _require_assessor(by, result_import.offering)
    with transaction.atomic():
        updated = ResultImport.objects.filter(pk=result_import.pk, state=ImportState.PREVIEWED).update(
            state=ImportState.DISCARDED, rows=[], counts=result_import.counts)
        if updated:
            audit_record(action="result_import.discarded", actor=by, organisation=result_import.provider,
                         target=result_import, data={"filename": result_import.filename})
    result_import.refresh_from_db()
    return result_import


def row_problems(row: Mapping[str, Any]) -> list[str]:
    """The messages of a stored preview row, in the active language."""
    return [RowProblem.from_data(problem).message() for problem in row.get("problems", [])]


# --- the API's idempotency keys ---------------------------------------------------------------------------


class IdempotencyKeyReused(Conflict):
    default_code = "idempotency_key_reused"
    default_message = _("This Idempotency-Key was used for a different request. Use a new key for each new request.")


def request_fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode()).hexdigest()


def idempotent(
    *, organisation: Organisation, key: str | None, fingerprint: str, write: Callable[[], tuple[int, Any]],
) -> tuple[int, Any, bool]:
    """Run `write` once per (organisation, key): returns (status, body, replayed).

    The key is stored in the same transaction as the write, so a crash loses both or neither. Two
    requests with the same key at once: the second waits on the unique index until the first commits,
    then answers with the first one's response. Only successful writes are remembered; a refused
    request can be sent again with the same key once it is fixed — but then with the same body.
    """
    if not key:
        status, body = write()
        return status, body, False
    found = IdempotencyKey.objects.filter(organisation=organisation, key=key).first()
    if found is not None:
        if found.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        return found.status_code, found.response, True
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(organisation=organisation, key=key, fingerprint=fingerprint,
                                                   status_code=0, response={})
            status, body = write()
            record.status_code = status
            record.response = body
            record.save(update_fields=["status_code", "response"])
    except IntegrityError:
        found = IdempotencyKey.objects.filter(organisation=organisation, key=key).first()
        if found is None:
            raise
        if found.fingerprint != fingerprint:
            raise IdempotencyKeyReused() from None
        return found.status_code, found.response, True
    return status, body, False
