"""Demand pages: employers' needs and matches, pledges, the providers' demand board and pooling, and
the public pooling status of an offering.

Thin views: a form shapes the input, a service decides and writes, a selector reads (tenant first,
"not found" alike for "not yours"). A refusal from a service is shown on the page with its message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from osaamo.accounts.selectors import DESIGN_ROLES, has_role
from osaamo.demand import pooling, selectors, services
from osaamo.demand.board import demand_board
from osaamo.demand.forms import (
    SKILL_RESULTS,
    AnnounceForm,
    DecisionDateForm,
    NeedForm,
    PlanForm,
    PledgeForm,
    need_initial,
)
from osaamo.demand.matching import rank_matches
from osaamo.demand.models import PledgeState
from osaamo.enrolment import selectors as enrolment_selectors
from osaamo.enrolment.forms import EnrolForm
from osaamo.enrolment.models import EnrolmentState, PaymentMethod
from osaamo.errors import DomainError, InvalidInput
from osaamo.framework.selectors import esco_search, esco_skill
from osaamo.translation import current_language
from osaamo.web.decorators import not_found_as_404


def _refusal(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, str(error.message))


# --- employers: needs ------------------------------------------------------------------------------------


@login_required
@require_GET
@not_found_as_404
def needs(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.employer_for_member(user=request.user, slug=slug)
    return render(request, "demand/needs.html", {
        "organisation": organisation, "needs": selectors.employer_needs(organisation=organisation),
        "can_pledge": has_role(request.user, organisation, selectors.PLEDGE_ROLES),
    })


def _need_form_page(request: HttpRequest, organisation: Any, form: NeedForm, need: Any = None,
                    status: int = 200) -> HttpResponse:
    return render(request, "demand/need_form.html", {
        "organisation": organisation, "form": form, "need": need, "chosen": form.chosen_skills,
        "results": form.skill_results, "query": str(form.data.get("skill_query", "")) if form.is_bound else "",
    }, status=status)


def _save_need(request: HttpRequest, organisation: Any, need: Any = None) -> HttpResponse:
    form = NeedForm(request.POST)
    if form.skill_action:
        return _need_form_page(request, organisation, form, need)
    if not form.is_valid():
        return _need_form_page(request, organisation, form, need, status=400)
    try:
        if need is None:
            need = services.need_create(organisation=organisation, by=request.user, data=form.service_data())
            messages.success(request, _("Your need was posted. Here are the micro-credentials that match it."))
        else:
            need = services.need_update(need=need, by=request.user, data=form.service_data())
            messages.success(request, _("Your need was saved."))
    except InvalidInput as error:
        form.add_domain_errors(error.details or {None: [error.message]})
        return _need_form_page(request, organisation, form, need, status=400)
    except DomainError as error:
        _refusal(request, error)
        if need is None:
            return redirect("demand:needs", organisation.slug)
    return redirect("demand:need", organisation.slug, need.pk)


@login_required
@not_found_as_404
def need_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.employer_for_member(user=request.user, slug=slug)
    if request.method == "POST":
        return _save_need(request, organisation)
    return _need_form_page(request, organisation, NeedForm(initial={"language": current_language(), "people": 1}))


@login_required
@not_found_as_404
def need_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.employer_for_member(user=request.user, slug=slug)
    need = selectors.employer_need(organisation=organisation, pk=pk)
    if not need.is_open:
        messages.error(request, _("A closed need cannot be changed."))
        return redirect("demand:need", organisation.slug, need.pk)
    if request.method == "POST":
        return _save_need(request, organisation, need)
    return _need_form_page(request, organisation, NeedForm(initial=need_initial(need)), need)


@login_required
@require_POST
@not_found_as_404
def need_close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.employer_for_member(user=request.user, slug=slug)
    need = selectors.employer_need(organisation=organisation, pk=pk)
    services.need_close(need=need, by=request.user)
    messages.success(request, _("The need was closed. Universities no longer see it on the demand board."))
    return redirect("demand:needs", organisation.slug)


@login_required
@require_GET
@not_found_as_404
def need_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The need and the micro-credentials that match it, each with why, and what the employer can do."""
    organisation = selectors.employer_for_member(user=request.user, slug=slug)
    need = selectors.employer_need(organisation=organisation, pk=pk)
    matches = rank_matches(need)
    offerings = [om.offering for m in matches for om in ([m.offering] if m.offering else []) + m.other_offerings]
    pledged = {p.offering_id: p for p in organisation.pledges.filter(offering__in=offerings,
                                                                      state=PledgeState.PLEDGED)}
    return render(request, "demand/need_detail.html", {
        "organisation": organisation, "need": need, "matches": matches, "pledged": pledged,
        "can_pledge": has_role(request.user, organisation, selectors.PLEDGE_ROLES),
    })


@login_required
@require_GET
@not_found_as_404
def skill_search(request: HttpRequest, slug: str) -> HttpResponse:
    """ESCO skills matching what was typed in the need form's search box (htmx search-as-you-type)."""
    organisation = selectors.employer_for_member(user=request.user, slug=slug)
    query = request.GET.get("skill_query", request.GET.get("q", ""))[:100]
    return render(request, "demand/_skill_results.html", {
        "organisation": organisation, "results": esco_search(query, limit=SKILL_RESULTS), "query": query.strip()})


@login_required
@require_GET
@not_found_as_404
def skill_chosen(request: HttpRequest, slug: str) -> HttpResponse:
    """One chosen skill, as a checked box that joins the list (htmx)."""
    selectors.employer_for_member(user=request.user, slug=slug)
    skill = esco_skill(request.GET.get("uri", "")[:200])
    if skill is None:
        return HttpResponseBadRequest(_("Unknown ESCO skill."))
    return render(request, "demand/_skill_chosen.html", {"skill": skill})


# --- employers: pledges ----------------------------------------------------------------------------------


@login_required
@require_GET
@not_found_as_404
def pledges(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.employer_for_member(user=request.user, slug=slug)
    items = list(selectors.employer_pledges(organisation=organisation))
    counts = selectors.commitments_for({p.offering for p in items})
    return render(request, "demand/pledges.html", {
        "organisation": organisation, "pledges": [(p, counts[p.offering_id]) for p in items],
        "can_pledge": has_role(request.user, organisation, selectors.PLEDGE_ROLES),
    })


@login_required
@not_found_as_404
def pledge_new(request: HttpRequest, slug: str, offering_pk: int) -> HttpResponse:
    organisation = selectors.employer_for_member(user=request.user, slug=slug, roles=selectors.PLEDGE_ROLES)
    offering = selectors.public_offering(pk=offering_pk)
    need = None
    need_pk = request.POST.get("need") or request.GET.get("need")
    if need_pk and str(need_pk).isdigit():
        need = organisation.skill_needs.filter(pk=int(need_pk)).first()
    commitments = selectors.offering_commitments(offering)
    if request.method == "POST":
        form = PledgeForm(request.POST)
        if form.is_valid():
            try:
                pledge = pooling.pledge_create(
                    offering=offering, organisation=organisation, by=request.user,
                    quantity=form.cleaned_data["quantity"], billing=form.billing(),
                    language=form.cleaned_data["language"], need=need,
                )
            except InvalidInput as error:
                form.add_domain_errors(error.details or {None: [error.message]})
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                if pledge.state == PledgeState.PURCHASED:
                    messages.success(request, _("Your pledge reached the minimum: the offering is confirmed and "
                                                "your seats are bought. Hand them out to your people here."))
                    return redirect("enrolment:purchase", organisation.slug, pledge.purchase_id)
                messages.success(request, _("Your seats are pledged. Nothing is invoiced unless the offering "
                                            "runs; we will tell you by email."))
                return redirect("demand:pledges", organisation.slug)
        status = 400
    else:
        form = PledgeForm(initial={"quantity": need.people if need else 1, "name": organisation.display_name,
                                   "business_id": organisation.business_id, "country": "FI",
                                   "language": current_language(), "email": getattr(request.user, "email", "")})
        status = 200
    return render(request, "demand/pledge_form.html", {
        "organisation": organisation, "offering": offering, "version": offering.version, "form": form,
        "need": need, "commitments": commitments, "provider": offering.version.micro_credential.provider,
    }, status=status)


@login_required
@require_POST
@not_found_as_404
def pledge_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.employer_for_member(user=request.user, slug=slug, roles=selectors.PLEDGE_ROLES)
    pledge = selectors.employer_pledge(organisation=organisation, pk=pk)
    try:
        pooling.pledge_withdraw(pledge=pledge, by=request.user)
    except DomainError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Your pledge was withdrawn."))
    return redirect("demand:pledges", organisation.slug)


# --- the public: an offering's pooling status, tentative enrolment, interest --------------------------------


def _offering_context(request: HttpRequest, offering: Any, form: EnrolForm | None = None) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    enrolment = enrolment_selectors.active_enrolment(learner=user, offering=offering)
    window_open = enrolment_selectors.window_is_open(offering, now)
    prerequisites = enrolment_selectors.requires_prerequisites_confirmation(offering)
    can_enrol = (offering.is_tentative and window_open
                 and (enrolment is None or enrolment.state == EnrolmentState.INTERESTED))
    if form is None and can_enrol and user.is_authenticated:
        form = EnrolForm(paid=not offering.is_free, prerequisites=prerequisites,
                         initial={"name": user.get_full_name() if user.full_name else "", "email": user.email,
                                  "country": "FI"})
    employers = list(selectors.employers_of(user, selectors.PLEDGE_ROLES)) if user.is_authenticated else []
    return {
        "offering": offering, "version": offering.version, "provider": offering.version.micro_credential.provider,
        "commitments": selectors.offering_commitments(offering), "enrolment": enrolment, "window_open": window_open,
        "can_enrol": can_enrol, "form": form, "prerequisites_required": prerequisites, "employers": employers,
        "can_register_interest": (offering.state == "scheduled" and enrolment is None
                                  and not enrolment_selectors.has_started(offering, now)),
    }


@not_found_as_404
def offering_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An offering's pooling status: progress towards the minimum, the decision date, and the actions."""
    offering = selectors.public_offering(pk=pk)
    if request.method != "POST":
        return render(request, "demand/offering.html", _offering_context(request, offering))
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    form = EnrolForm(request.POST, paid=not offering.is_free,
                     prerequisites=enrolment_selectors.requires_prerequisites_confirmation(offering))
    if form.is_valid():
        try:
            enrolment = pooling.pooling_enrol(
                offering=offering, learner=request.user,
                payment_method=PaymentMethod.FREE if offering.is_free else PaymentMethod.INVOICE,
                billing=form.billing(), prerequisites_confirmed=form.cleaned_data.get("prerequisites_confirmed", False),
            )
        except InvalidInput as error:
            form.add_domain_errors(error.details or {None: [error.message]})
        except DomainError as error:
            _refusal(request, error)
            return redirect("demand:offering", pk=offering.pk)
        else:
            offering.refresh_from_db()
            if offering.confirmed_at is not None and enrolment.state == EnrolmentState.ENROLLED:
                messages.success(request, _("You are enrolled, and the offering is confirmed: it will run. "
                                            "We sent you an email."))
            else:
                messages.success(request, _("You are enrolled tentatively: your place is held and nothing is "
                                            "invoiced unless the offering runs. We sent you an email."))
            return redirect("demand:offering", pk=offering.pk)
    return render(request, "demand/offering.html", _offering_context(request, offering, form), status=400)


@login_required
@require_POST
@not_found_as_404
def register_interest(request: HttpRequest, pk: int) -> HttpResponse:
    offering = selectors.public_offering(pk=pk)
    try:
        pooling.pooling_register_interest(offering=offering, learner=request.user)
    except DomainError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Your interest is registered. No place is held for you."))
    return redirect("demand:offering", pk=offering.pk)


@login_required
@require_POST
@not_found_as_404
def planned_interest(request: HttpRequest, pk: int) -> HttpResponse:
    """Register (or, with `withdraw`, take back) interest in a planned micro-credential."""
    plan = selectors.public_plan(pk=pk)
    version = selectors.published_version_of(plan.micro_credential)
    try:
        if request.POST.get("withdraw"):
            services.planned_interest_withdraw(plan=plan, learner=request.user)
            messages.success(request, _("Your interest was withdrawn."))
        else:
            services.planned_interest_register(plan=plan, learner=request.user)
            messages.success(request, _("Thank you: your interest is registered. The university sees how many "
                                        "are interested and may tell you when there are dates."))
    except DomainError as error:
        _refusal(request, error)
    return redirect("catalog:detail", plan.micro_credential.provider.slug, version.micro_credential.slug)


# --- providers -------------------------------------------------------------------------------------------


@login_required
@require_GET
@not_found_as_404
def board(request: HttpRequest, slug: str) -> HttpResponse:
    provider = selectors.provider_for_staff(user=request.user, slug=slug)
    view = request.GET.get("by", "skill")
    return render(request, "demand/board.html", {
        "provider": provider, "board": demand_board(), "view": view if view in ("skill", "region") else "skill",
        "can_design": has_role(request.user, provider, DESIGN_ROLES),
    })


@login_required
@require_GET
@not_found_as_404
def provider_pooling(request: HttpRequest, slug: str) -> HttpResponse:
    provider = selectors.provider_for_staff(user=request.user, slug=slug)
    return render(request, "demand/provider_pooling.html", {
        "provider": provider, "offerings": selectors.provider_pooled_offerings(provider=provider),
        "plans": selectors.provider_plans(provider=provider),
        "can_design": has_role(request.user, provider, DESIGN_ROLES),
    })


@login_required
@not_found_as_404
def provider_offering(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    provider = selectors.provider_for_staff(user=request.user, slug=slug)
    offering = selectors.provider_offering(provider=provider, pk=pk)
    form = DecisionDateForm(request.POST or None, initial={"decision_date": offering.decision_date})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                pooling.pooling_open(offering=offering, by=request.user,
                                     decision_date=form.cleaned_data["decision_date"])
            except InvalidInput as error:
                form.add_domain_errors(error.details or {None: [error.message]})
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("The offering now runs only if its minimum is reached by the decision "
                                            "date."))
                return redirect("demand:provider_offering", provider.slug, offering.pk)
        status = 400
    return render(request, "demand/provider_offering.html", {
        "provider": provider, "offering": offering, "version": offering.version, "form": form,
        "commitments": selectors.offering_commitments(offering),
        "pledges": selectors.offering_pledges(offering=offering),
        "can_design": has_role(request.user, provider, DESIGN_ROLES),
    }, status=status)


def _plan_choices(provider: Any) -> list[tuple[str, str]]:
    choices = []
    for micro_credential in selectors.plannable_micro_credentials(provider=provider):
        version = selectors.published_version_of(micro_credential)
        choices.append((str(micro_credential.pk), f"{micro_credential.code} — {version}"))
    return choices


@login_required
@not_found_as_404
def plan_new(request: HttpRequest, slug: str) -> HttpResponse:
    provider = selectors.provider_for_staff(user=request.user, slug=slug, roles=DESIGN_ROLES)
    form = PlanForm(request.POST or None, choices=_plan_choices(provider))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            micro_credential = provider.micro_credentials.get(pk=int(form.cleaned_data["micro_credential"]))
            try:
                plan = services.plan_open(micro_credential=micro_credential, by=request.user, timing=form.timing())
            except InvalidInput as error:
                form.add_domain_errors(error.details or {None: [error.message]})
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("The micro-credential is now shown as planned and collects interest."))
                return redirect("demand:plan", provider.slug, plan.pk)
        status = 400
    return render(request, "demand/plan_form.html", {"provider": provider, "form": form}, status=status)


@login_required
@not_found_as_404
def plan_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    provider = selectors.provider_for_staff(user=request.user, slug=slug)
    plan = selectors.provider_plan(provider=provider, pk=pk)
    upcoming = list(plan.micro_credential.versions.filter(offerings__state="scheduled").values_list(
        "offerings__pk", "offerings__start_date"))
    choices = [(str(offering_pk), _("Starts %(date)s") % {"date": start}) for offering_pk, start in upcoming]
    form = AnnounceForm(request.POST or None, choices=choices)
    if request.method == "POST":
        if not has_role(request.user, provider, DESIGN_ROLES):
            raise Http404
        if form.is_valid():
            offering = None
            if form.cleaned_data.get("offering"):
                offering = selectors.provider_offering(provider=provider, pk=int(form.cleaned_data["offering"]))
            try:
                services.plan_close(plan=plan, by=request.user, announce=offering)
            except DomainError as error:
                _refusal(request, error)
            else:
                messages.success(request, _("Interest is no longer collected.") if offering is None else
                                 _("Interest is no longer collected, and the interested people were told about the "
                                   "offering."))
            return redirect("demand:plan", provider.slug, plan.pk)
    return render(request, "demand/plan_detail.html", {
        "provider": provider, "plan": plan, "version": selectors.published_version_of(plan.micro_credential),
        "form": form, "can_design": has_role(request.user, provider, DESIGN_ROLES),
    })
