"""Writing people, organisations, memberships and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.models import ROLES_BY_KIND, ApiToken, Membership, Organisation, User
from osaamo.audit.services import audit_record
from osaamo.translation import clean_translations

TOKEN_PREFIX = "osm_"  # noqa: S105 (a public prefix, not a secret)


def user_create(
    *, email: str, password: str | None, full_name: str = "", preferred_language: str = "fi"
) -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError(_("An account with this email address already exists."), code="email_taken")
    with transaction.atomic():
        user = User.objects.create_user(
            email, password, full_name=full_name, preferred_language=preferred_language
        )
        audit_record(action="user.created", actor=None, target=user, data={"email": email})
    return user


def user_signup(
    *, email: str, password: str, full_name: str, preferred_language: str, base_url: str, next_url: str = ""
) -> User | None:
    """A new, inactive account and a mail with its activation link.

    When the address already has an account nothing is created and its owner gets a mail saying
    so (with a sign-in and a password-reset link), so the page never reveals who has an account.
    """
    email = User.objects.normalize_email(email).lower()
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        transaction.on_commit(lambda: _mail_account_exists(existing, base_url))
        return None
    with transaction.atomic():
        user = User.objects.create_user(
            email, password, full_name=full_name, preferred_language=preferred_language, is_active=False
        )
        audit_record(action="user.signed_up", actor=None, target=user, data={"email": email})
    transaction.on_commit(lambda: _mail_activation(user, base_url, next_url))
    return user


def _mail_activation(user: User, base_url: str, next_url: str) -> None:
    with translation.override(user.preferred_language):
        path = reverse("accounts:activate", kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
        })
        link = base_url.rstrip("/") + path + (f"?{urlencode({'next': next_url})}" if next_url else "")
        body = render_to_string("accounts/activation_email.txt", {"user": user, "link": link})
        send_mail(str(_("Confirm your Osaamo account")), body, None, [user.email])


def _mail_account_exists(user: User, base_url: str) -> None:
    with translation.override(user.preferred_language):
        body = render_to_string("accounts/account_exists_email.txt", {
            "user": user,
            "login": base_url.rstrip("/") + reverse("accounts:login"),
            "reset": base_url.rstrip("/") + reverse("accounts:password_reset"),
        })
        send_mail(str(_("You already have an Osaamo account")), body, None, [user.email])


def user_activate(*, user: User, token: str) -> bool:
    """Activate `user` when `token` is their valid activation token (single use: it changes on login)."""
    if user.is_active or not default_token_generator.check_token(user, token):
        return False
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record(action="user.activated", actor=user, target=user)
    return True


def organisation_create(
    *, kind: str, slug: str, name: dict[str, str], by: Any | None = None, **fields: Any
) -> Organisation:
    with transaction.atomic():
        organisation = Organisation(kind=kind, slug=slug, name=clean_translations(name), **fields)
        organisation.full_clean()
        organisation.save()
        audit_record(action="organisation.created", actor=by, organisation=organisation, target=organisation)
    return organisation


def membership_grant(*, organisation: Organisation, user: User, role: str, by: Any | None = None) -> Membership:
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise ValidationError(
            _("The role %(role)s does not exist in this kind of organisation."),
            code="role_kind",
            params={"role": role},
        )
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
        if created:
            audit_record(
                action="membership.granted", actor=by, organisation=organisation, target=membership,
                data={"user": user.email, "role": role},
            )
    return membership


def membership_revoke(*, membership: Membership, by: Any) -> None:
    with transaction.atomic():
        audit_record(
            action="membership.revoked", actor=by, organisation=membership.organisation, target=membership,
            data={"user": membership.user.email, "role": membership.role},
        )
        membership.delete()


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: User, organisation: Organisation, name: str) -> tuple[ApiToken, str]:
    """A new token for `user` acting for `organisation`; the raw key is returned once, never stored."""
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(_("You are not a member of this organisation."), code="not_member")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, organisation=organisation, name=name[:100], prefix=raw[:12], key_hash=_hash_token(raw)
        )
        audit_record(
            action="api_token.created", actor=user, organisation=organisation, target=token, data={"name": name}
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, by: Any) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action="api_token.revoked", actor=by, organisation=token.organisation, target=token)


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The live token for `raw`, with its user and organisation; None when unknown or revoked."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "organisation")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
