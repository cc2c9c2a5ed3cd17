"""Assessment pages: provider staff record results (one learner, the whole group, a CSV file) and issue
the credentials; a learner sees their own studies.

Thin views: a form shapes the input, a service decides and writes, a selector reads (tenant first,
"not found" alike for "not yours"). Refusals are shown on the page with their message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from osaamo.assessment import selectors, services
from osaamo.assessment.csvfile import MAX_FILE_BYTES, TEMPLATE_HEADER, CsvRefused, too_large, write_csv
from osaamo.assessment.forms import ApplyForm, GridForm, IssuingForm, ResultForm, UploadForm
from osaamo.assessment.grading import scale_of
from osaamo.assessment.models import ImportState, ResultSource
from osaamo.assessment.validation import ResultInput, RowStatus
from osaamo.errors import DomainError, InvalidInput
from osaamo.web.decorators import not_found_as_404

PREVIEW_ROWS_SHOWN = 500
UPLOAD_OVERHEAD_BYTES = 64 * 1024  # the multipart envelope around the file


def _staff(request: HttpRequest, slug: str, pk: int) -> tuple[Any, Any]:
    provider = selectors.provider_for_assessor(user=request.user, slug=slug)
    return provider, selectors.assessment_offering(provider=provider, pk=pk)


def _offering_url(provider: Any, offering: Any) -> str:
    return reverse("assessment:offering", args=[provider.slug, offering.pk])


# --- provider staff ---------------------------------------------------------------------------------------


@login_required
@not_found_as_404
def offerings(request: HttpRequest, slug: str) -> HttpResponse:
    provider = selectors.provider_for_assessor(user=request.user, slug=slug)
    return render(request, "assessment/offerings.html", {
        "provider": provider, "offerings": selectors.assessment_offerings(provider=provider)})


@login_required
@not_found_as_404
def offering(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An offering's results: the numbers, how credentials are issued, and the learners page by page."""
    provider, offering = _staff(request, slug, pk)
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.offering_learners(offering=offering, q=q), selectors.LEARNERS_PER_PAGE).get_page(
        request.GET.get("page"))
    learners = list(page.object_list)
    credentials = selectors.credentials_of([e.pk for e in learners])
    settings = selectors.offering_settings(offering)
    return render(request, "assessment/offering.html", {
        "provider": provider, "offering": offering, "version": offering.version,
        "scale": scale_of(offering.version), "summary": selectors.offering_summary(offering),
        "settings": settings, "can_issue": selectors.can_issue(request.user, offering),
        "issuing_form": IssuingForm(initial={"issuing": settings.issuing}),
        "job": selectors.latest_issuing_job(offering), "page": page, "q": q,
        "rows": [(e, getattr(e, "assessment_result", None), credentials.get(e.pk)) for e in learners],
        "imports": selectors.offering_result_imports(offering=offering, provider=provider)[:5],
    })


@login_required
@require_POST
@not_found_as_404
def issuing_setting(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    provider, offering = _staff(request, slug, pk)
    form = IssuingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how credentials are issued."))
        return redirect(_offering_url(provider, offering))
    try:
        services.offering_assessment_update(offering=offering, by=request.user, issuing=form.cleaned_data["issuing"])
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The setting is saved."))
    return redirect(_offering_url(provider, offering))


@login_required
@require_POST
@not_found_as_404
def issue(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A registrar confirms issuing: post → redirect → the issuing job's progress page."""
    provider, offering = _staff(request, slug, pk)
    try:
        job = services.offering_credentials_issue(offering=offering, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(_offering_url(provider, offering))
    return redirect("credentials:staff_job", slug=offering.version.micro_credential.provider.slug, pk=job.pk)


def _recorded_message(request: HttpRequest, outcome: services.RecordOutcome) -> None:
    saved = outcome.count(RowStatus.NEW) + outcome.count(RowStatus.CHANGED)
    if saved:
        messages.success(request, ngettext("%(count)s result saved.", "%(count)s results saved.", saved)
                         % {"count": saved})
    else:
        messages.success(request, _("Nothing changed: the results were saved already."))
    if outcome.issuing_started:
        messages.success(request, _("The credentials of the passing results are being issued."))


@login_required
@not_found_as_404
def learner_result(request: HttpRequest, slug: str, pk: int, enrolment_pk: int) -> HttpResponse:
    """Record or correct one learner's result."""
    provider, offering = _staff(request, slug, pk)
    enrolment = selectors.offering_learner(offering=offering, pk=enrolment_pk)
    result = getattr(enrolment, "assessment_result", None)
    scale = scale_of(offering.version)
    initial = {"identity_verification": ""}
    if result is not None:
        initial = {"grade": result.grade, "assessed_on": result.assessed_on.isoformat(), "assessor": result.assessor,
                   "identity_verification": result.identity_verification, "note": result.note}
    form = ResultForm(request.POST if request.method == "POST" else None, initial=initial, scale=scale)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                outcome = services.result_record(enrolment=enrolment, by=request.user, **form.cleaned_data)
            except InvalidInput as error:
                form.add_domain_errors(error.details or {None: [error.message]})
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                _recorded_message(request, outcome)
                return redirect(_offering_url(provider, offering))
        status = 400
    credential = selectors.credentials_of([enrolment.pk]).get(enrolment.pk)
    return render(request, "assessment/learner_result.html", {
        "provider": provider, "offering": offering, "version": offering.version, "enrolment": enrolment,
        "result": result, "credential": credential, "form": form, "scale": scale,
    }, status=status)


@login_required
@not_found_as_404
def grid(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The results of the whole group, a page of learners at a time; saved all or nothing."""
    provider, offering = _staff(request, slug, pk)
    page = Paginator(selectors.offering_learners(offering=offering), selectors.LEARNERS_PER_PAGE).get_page(
        request.GET.get("page"))
    scale = scale_of(offering.version)
    form = GridForm(request.POST if request.method == "POST" else None, scale=scale, enrolments=page.object_list)
    problems: dict[int, list[str]] = {}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            common = {name: form.cleaned_data[name] for name in ("assessed_on", "identity_verification", "assessor")}
            rows = [ResultInput(enrolment_id=e.pk, grade=grade, note=note, **common)
                    for e, grade, note in form.changed_rows()]
            if not rows:
                messages.success(request, _("Nothing changed: no grade was given or changed."))
                return redirect(request.get_full_path())
            try:
                outcome = services.results_record(offering=offering, by=request.user, rows=rows,
                                                  source=ResultSource.GRID)
            except services.ResultsRefused as error:
                for row in error.details["rows"]:
                    if row.problems:
                        problems[row.input.enrolment_id] = row.messages()
                form.add_error(None, _("Nothing was saved: check the results marked below."))
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                _recorded_message(request, outcome)
                return redirect(request.get_full_path())
        status = 400
    return render(request, "assessment/grid.html", {
        "provider": provider, "offering": offering, "version": offering.version, "form": form, "page": page,
        "rows": [(e, grade, note, problems.get(e.pk, [])) for e, grade, note in form.rows()], "scale": scale,
    }, status=status)


@login_required
@not_found_as_404
def results_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The group as a CSV file to fill in (or the results recorded so far): the upload's own columns."""
    _provider, offering = _staff(request, slug, pk)
    rows = []
    for enrolment in selectors.offering_learners(offering=offering).iterator(chunk_size=1000):
        result = getattr(enrolment, "assessment_result", None)
        rows.append([enrolment.learner.email, result.grade if result else "",
                     result.assessed_on.isoformat() if result else "",
                     result.identity_verification if result else "", result.assessor if result else "",
                     result.note if result else "", enrolment.learner.get_full_name()])
    response = HttpResponse("\ufeff" + write_csv(rows, [*TEMPLATE_HEADER, "name"]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="results-{offering.pk}.csv"'
    return response


@csrf_exempt
@login_required
@not_found_as_404
def upload(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Upload a CSV file; a file over the limit is refused from its declared size, before it is read.

    CSRF is checked by `_upload` (csrf_protect): checking it here would read the whole body first.
    """
    provider, offering = _staff(request, slug, pk)
    if request.method == "POST":
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > MAX_FILE_BYTES + UPLOAD_OVERHEAD_BYTES:
            form = UploadForm(data={})
            form.is_valid()
            form.errors["file"] = form.error_class([str(too_large(declared).message)])
            response = _upload_page(request, provider, offering, form, status=413)
            response["Connection"] = "close"  # the rest of the body is not read
            return response
    return _upload(request, provider, offering)


def _upload_page(request: HttpRequest, provider: Any, offering: Any, form: UploadForm, status: int = 200
                 ) -> HttpResponse:
    return render(request, "assessment/upload.html", {
        "provider": provider, "offering": offering, "version": offering.version, "form": form,
        "scale": scale_of(offering.version), "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
        "imports": selectors.offering_result_imports(offering=offering, provider=provider)[:10],
    }, status=status)


@csrf_protect
def _upload(request: HttpRequest, provider: Any, offering: Any) -> HttpResponse:
    if request.method != "POST":
        return _upload_page(request, provider, offering, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        if uploaded.size > MAX_FILE_BYTES:
            form.add_error("file", str(too_large(uploaded.size).message))
        else:
            try:
                result_import = services.result_import_create(
                    offering=offering, provider=provider, by=request.user, filename=uploaded.name,
                    data=uploaded.read())
            except CsvRefused as error:
                form.add_error("file", str(error.message))
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                return redirect("assessment:import", provider.slug, offering.pk, result_import.pk)
    return _upload_page(request, provider, offering, form, status=400)


def _preview_context(provider: Any, offering: Any, result_import: Any, form: ApplyForm) -> dict[str, Any]:
    rows = result_import.rows
    errors = [r for r in rows if r["status"] == RowStatus.ERROR]
    writes = [r for r in rows if r["status"] in (RowStatus.NEW, RowStatus.CHANGED)]
    for row in errors[:PREVIEW_ROWS_SHOWN]:
        row["messages"] = services.row_problems(row)
    scale = scale_of(offering.version)
    for row in writes[:PREVIEW_ROWS_SHOWN]:
        row["grade_label"] = scale.label(row.get("grade_code", ""))
    return {
        "provider": provider, "offering": offering, "version": offering.version, "upload": result_import,
        "counts": result_import.counts, "errors": errors[:PREVIEW_ROWS_SHOWN], "writes": writes[:PREVIEW_ROWS_SHOWN],
        "errors_hidden": max(0, len(errors) - PREVIEW_ROWS_SHOWN),
        "writes_hidden": max(0, len(writes) - PREVIEW_ROWS_SHOWN), "form": form,
        "ignored_columns": [c[1:] for c in result_import.columns if c.startswith("?")],
        "delimiter_name": {",": _("comma"), ";": _("semicolon"), "\t": _("tab")}.get(result_import.delimiter, ""),
        "applied_before": selectors.same_file_applied(result_import),
        "can_apply": result_import.state == ImportState.PREVIEWED,
    }


@login_required
@not_found_as_404
def result_import(request: HttpRequest, slug: str, pk: int, import_pk: int) -> HttpResponse:
    """The preview of an uploaded file; post to save it (all valid rows, or all or nothing) or discard it."""
    provider, offering = _staff(request, slug, pk)
    found = selectors.result_import(provider=provider, offering=offering, pk=import_pk)
    form = ApplyForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if request.POST.get("discard"):
            services.result_import_discard(result_import=found, by=request.user)
            messages.success(request, _("The file was discarded; nothing was saved."))
            return redirect("assessment:upload", provider.slug, offering.pk)
        if form.is_valid():
            try:
                outcome = services.result_import_apply(result_import=found, by=request.user,
                                                       mode=form.cleaned_data["mode"], now=timezone.now())
            except services.ResultsRefused:
                found.refresh_from_db()
                form.add_error(None, _("Nothing was saved: some rows have problems. Correct the file and upload it "
                                       "again, or choose to save the valid rows."))
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                _recorded_message(request, outcome)
                if outcome.count(RowStatus.ERROR):
                    messages.warning(request, ngettext(
                        "%(count)s row with problems was left out.", "%(count)s rows with problems were left out.",
                        outcome.count(RowStatus.ERROR)) % {"count": outcome.count(RowStatus.ERROR)})
                return redirect("assessment:import", provider.slug, offering.pk, found.pk)
        status = 400
    return render(request, "assessment/import.html", _preview_context(provider, offering, found, form), status=status)


# --- the learner --------------------------------------------------------------------------------------------


@login_required
def my_studies(request: HttpRequest) -> HttpResponse:
    """The signed-in learner's own enrolments, results, credentials and what could come next."""
    return render(request, "assessment/my_studies.html", {
        "studies": selectors.learner_studies(learner=request.user), "today": timezone.localdate(),
    })
