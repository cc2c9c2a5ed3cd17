"""Signing in with an email address, password reset by mail, roles, API tokens and system checks."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from osaamo.accounts.models import Membership, Role
from osaamo.accounts.selectors import has_role, organisation_contact, organisations_of, provider_for_staff
from osaamo.accounts.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    membership_grant,
)
from osaamo.audit.models import AuditEntry
from tests.factories import make_user

PASSWORD = "correct horse battery staple"


def test_login_with_email_and_logout(client, helsinki_designer):
    response = client.post(
        reverse("accounts:login"), {"username": "DANI.DESIGNER@helsinki.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    page = client.get(reverse("accounts:home"))
    assert "Dani Designer" in page.content.decode()
    assert "University of Helsinki" in page.content.decode()
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:home")).status_code == 302


def test_wrong_password_is_refused_with_a_message(client, helsinki_designer):
    response = client.post(reverse("accounts:login"), {"username": helsinki_designer.email, "password": "nope"})
    assert response.status_code == 200
    assert "correct email address and password" in response.content.decode()


def test_password_reset_sends_a_working_link(client, learner):
    client.post(reverse("accounts:password_reset"), {"email": learner.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/password-reset/\S+/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    path = link.group(0).split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    client.post(set_url, {"new_password1": "a new long passphrase 42", "new_password2": "a new long passphrase 42"})
    assert client.login(username=learner.email, password="a new long passphrase 42")


def test_password_reset_does_not_reveal_whether_an_account_exists(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert response.status_code == 200
    assert len(mail.outbox) == 0
    assert "If an account exists" in response.content.decode()


def test_roles_belong_to_the_kind_of_organisation(helsinki, employer, learner):
    with pytest.raises(ValidationError):
        membership_grant(organisation=employer, user=learner, role=Role.DESIGNER)
    with pytest.raises(ValidationError):
        membership_grant(organisation=helsinki, user=learner, role=Role.EMPLOYER_ADMIN)
    membership_grant(organisation=helsinki, user=learner, role=Role.REGISTRAR)
    assert has_role(learner, helsinki, {Role.REGISTRAR})
    assert AuditEntry.objects.filter(action="membership.granted", organisation=helsinki).exists()


def test_staff_of_one_university_cannot_reach_another(helsinki_designer, aalto):
    from django.http import Http404

    with pytest.raises(Http404):
        provider_for_staff(user=helsinki_designer, slug="aalto")
    with pytest.raises(Http404):
        provider_for_staff(user=helsinki_designer, slug="does-not-exist")
    assert list(organisations_of(helsinki_designer)) == [helsinki_designer.memberships.get().organisation]


def test_api_token_is_shown_once_stored_hashed_and_can_be_revoked(helsinki_designer, helsinki, aalto):
    token, raw = api_token_create(user=helsinki_designer, organisation=helsinki, name="Sisu")
    assert raw.startswith("osm_") and raw not in token.key_hash
    assert api_token_authenticate(raw) == token
    assert api_token_authenticate(raw + "x") is None
    entry = AuditEntry.objects.get(action="api_token.created")
    assert raw not in str(entry.data)
    api_token_revoke(token=token, by=helsinki_designer)
    assert api_token_authenticate(raw) is None
    with pytest.raises(ValidationError):
        api_token_create(user=helsinki_designer, organisation=aalto, name="not mine")


def test_token_page_shows_a_new_token_once(client, helsinki_designer, helsinki):
    client.force_login(helsinki_designer)
    response = client.post(reverse("accounts:api_tokens"), {"name": "Sisu", "organisation": "helsinki"})
    body = response.content.decode()
    assert "shown only once" in body
    raw = re.search(r'<code id="new-token">(osm_[^<]+)</code>', body).group(1)
    again = client.get(reverse("accounts:api_tokens")).content.decode()
    assert raw not in again


def test_another_users_token_cannot_be_revoked(client, helsinki_designer, helsinki, aalto_designer):
    token, raw = api_token_create(user=helsinki_designer, organisation=helsinki, name="Sisu")
    client.force_login(aalto_designer)
    response = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert api_token_authenticate(raw) == token


def test_audit_masks_secrets(db):
    from osaamo.audit.services import audit_record

    entry = audit_record(action="test.secret", actor=None, data={"password": "x", "nested": {"api_key": "y"}, "ok": 1})
    assert entry.data == {"password": "***", "nested": {"api_key": "***"}, "ok": 1}


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    from osaamo.config import Config, ConfigurationError

    monkeypatch.setenv("OSAAMO_PRODUCTION", "1")
    monkeypatch.setenv("OSAAMO_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("OSAAMO_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="OSAAMO_SECRET_KEY"):
        Config.from_environment()
    assert not list(tmp_path.iterdir()), "no local secret may be generated in production"
    monkeypatch.setenv("OSAAMO_SECRET_KEY", "x" * 40)
    assert Config.from_environment().key_encryption_key == ""


def test_local_use_generates_and_keeps_secrets(monkeypatch, tmp_path):
    from osaamo.config import Config

    monkeypatch.delenv("OSAAMO_PRODUCTION", raising=False)
    monkeypatch.delenv("OSAAMO_SECRET_KEY", raising=False)
    monkeypatch.delenv("OSAAMO_KEY_ENCRYPTION_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)  # CI sets it; the default is what is tested
    monkeypatch.setenv("OSAAMO_VAR_DIR", str(tmp_path))
    first, second = Config.from_environment(), Config.from_environment()
    assert len(first.secret_key) >= 32 and first.secret_key == second.secret_key
    assert first.key_encryption_key and first.key_encryption_key != first.secret_key
    assert first.database_url == f"sqlite:///{tmp_path / 'osaamo.sqlite3'}"


def test_production_needs_a_key_encryption_key(settings):
    settings.OSAAMO_KEY_ENCRYPTION_KEY = ""
    with pytest.raises(SystemCheckError, match=r"osaamo\.E002"):
        call_command("check")


def test_base_url_must_be_absolute(settings):
    settings.BASE_URL = "not a url"
    with pytest.raises(SystemCheckError, match=r"osaamo\.E003"):
        call_command("check")


def test_demo_user_password_is_hashed(db, settings):
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the production hasher (tests use MD5)
    user = make_user("x@example.com", "X")
    assert user.password.startswith(("pbkdf2_", "argon2", "bcrypt"))
    assert PASSWORD not in user.password


def test_the_contact_of_an_organisation_is_who_acted_while_they_still_may(employer: Any) -> None:
    admin = frozenset({Role.EMPLOYER_ADMIN})
    buyer = make_user("buyer@konepaja.example", "Buyer", employer, Role.EMPLOYER_ADMIN)
    other = make_user("other@konepaja.example", "Other", employer, Role.EMPLOYER_ADMIN)
    assert organisation_contact(employer, preferred=buyer, roles=admin) == buyer
    Membership.objects.filter(user=buyer).delete()  # the buyer has left
    assert organisation_contact(employer, preferred=buyer, roles=admin) == other
    other.is_active = False
    other.save(update_fields=["is_active"])
    assert organisation_contact(employer, preferred=buyer, roles=admin) == buyer  # nobody else: the buyer still
