from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from osaamo.accounts import services
from osaamo.accounts.forms import ApiTokenForm
from osaamo.accounts.models import ApiToken
from osaamo.accounts.selectors import organisations_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related("organisation").order_by("organisation__slug", "role")
    return render(request, "accounts/home.html", {"memberships": memberships})


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    organisations = list(organisations_of(request.user))
    form = ApiTokenForm(request.POST or None)
    form.fields["organisation"].choices = [(o.slug, o.display_name) for o in organisations]
    raw_key = None
    if request.method == "POST" and form.is_valid():
        organisation = next(o for o in organisations if o.slug == form.cleaned_data["organisation"])
        _token, raw_key = services.api_token_create(
            user=request.user, organisation=organisation, name=form.cleaned_data["name"]
        )
        form = ApiTokenForm()
        form.fields["organisation"].choices = [(o.slug, o.display_name) for o in organisations]
    tokens = request.user.api_tokens.select_related("organisation").order_by("-created_at")
    return render(request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "raw_key": raw_key})


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=pk, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:api_tokens")
