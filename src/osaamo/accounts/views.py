from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from osaamo.accounts import services
from osaamo.accounts.forms import ApiTokenForm, SignupForm
from osaamo.accounts.models import ApiToken, OrganisationKind, Role, User
from osaamo.accounts.selectors import (
    ASSESSOR_ROLES,
    DESIGN_ROLES,
    EMPLOYER_ADMIN_ROLES,
    EMPLOYER_ROLES,
    PROVIDER_STAFF_ROLES,
    PUBLISH_ROLES,
    REGISTRAR_ROLES,
    organisations_of,
)


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=False):
        return value
    return ""


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = SignupForm(request.POST or None, initial={"preferred_language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        services.user_signup(
            email=form.cleaned_data["email"], password=form.cleaned_data["password1"],
            full_name=form.cleaned_data["full_name"], preferred_language=form.cleaned_data["preferred_language"],
            base_url=settings.BASE_URL, next_url=next_url,
        )
        return render(request, "accounts/signup_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not services.user_activate(user=user, token=token):
        return render(request, "accounts/activation_failed.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your account is ready. Welcome to Osaamo!"))
    return redirect(_safe_next(request, request.GET.get("next", "")) or "accounts:home")


def _user(request: HttpRequest) -> User:
    """The signed-in user of a view behind @login_required."""
    assert isinstance(request.user, User)
    return request.user


def _set_choices(form: ApiTokenForm, organisations: list[Any]) -> None:
    field = form.fields["organisation"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [(o.slug, o.display_name) for o in organisations]


# The pages of an organisation that a role may open, with the role sets those pages check.
ORGANISATION_PAGES: tuple[tuple[str, frozenset[str], str, Any], ...] = (
    (OrganisationKind.PROVIDER, DESIGN_ROLES, "design:list", gettext_lazy("Design micro-credentials")),
    (OrganisationKind.PROVIDER, REGISTRAR_ROLES, "enrolment:staff_offerings", gettext_lazy("Enrolments")),
    (OrganisationKind.PROVIDER, PUBLISH_ROLES, "enrolment:invoicing", gettext_lazy("Invoicing")),
    (OrganisationKind.PROVIDER, ASSESSOR_ROLES, "assessment:offerings", gettext_lazy("Assessment and results")),
    (OrganisationKind.PROVIDER, REGISTRAR_ROLES, "credentials:staff_credentials", gettext_lazy("Issued credentials")),
    (OrganisationKind.PROVIDER, PROVIDER_STAFF_ROLES, "demand:board", gettext_lazy("Demand board")),
    (OrganisationKind.PROVIDER, PROVIDER_STAFF_ROLES, "demand:provider_pooling", gettext_lazy("Tentative offerings")),
    (OrganisationKind.EMPLOYER, EMPLOYER_ROLES, "demand:needs", gettext_lazy("Skill needs")),
    (OrganisationKind.EMPLOYER, EMPLOYER_ROLES, "demand:pledges", gettext_lazy("Pledged seats")),
    (OrganisationKind.EMPLOYER, EMPLOYER_ADMIN_ROLES, "enrolment:employer", gettext_lazy("Purchased seats")),
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = _user(request).memberships.select_related("organisation").order_by("organisation__slug", "role")
    rows = []
    for membership in memberships:
        organisation = membership.organisation
        pages = [(reverse(name, args=[organisation.slug]), label) for kind, roles, name, label in ORGANISATION_PAGES
                 if organisation.kind == kind and membership.role in roles]
        if membership.role == Role.OPERATOR and organisation.kind == OrganisationKind.OPERATOR:  # as the page checks
            pages.append((reverse("credentials:trusted_issuers"), gettext_lazy("Recognised issuers")))
        rows.append((membership, pages))
    return render(request, "accounts/home.html", {"memberships": rows})


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    organisations = list(organisations_of(request.user))
    form = ApiTokenForm(request.POST or None)
    _set_choices(form, organisations)
    raw_key = None
    if request.method == "POST" and form.is_valid():
        organisation = next(o for o in organisations if o.slug == form.cleaned_data["organisation"])
        _token, raw_key = services.api_token_create(
            user=_user(request), organisation=organisation, name=form.cleaned_data["name"]
        )
        form = ApiTokenForm()
        _set_choices(form, organisations)
    tokens = _user(request).api_tokens.select_related("organisation").order_by("-created_at")
    return render(request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "raw_key": raw_key})


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=_user(request), pk=pk, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:api_tokens")
