"""A learner creates an account themself; it works once they open the link mailed to them."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from osaamo.accounts.models import User

GOOD = {
    "full_name": "Outi Oppija",
    "email": "Outi.Oppija@example.com",
    "preferred_language": "fi",
    "password1": "kuusi kissaa kiipesi",
    "password2": "kuusi kissaa kiipesi",
}


def _link(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    return found.group(0).split("127.0.0.1:8000", 1)[-1].split("testserver", 1)[-1]


def test_signup_mails_an_activation_link_in_the_chosen_language(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), GOOD)
    assert "Check your email" in response.content.decode()
    user = User.objects.get(email="outi.oppija@example.com")
    assert not user.is_active and user.preferred_language == "fi"
    assert not client.login(username=user.email, password=GOOD["password1"])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Vahvista Osaamo-käyttäjätilisi"
    page = client.get(_link(mail.outbox[0]), follow=True)
    assert page.status_code == 200
    user.refresh_from_db()
    assert user.is_active
    assert page.context["user"].is_authenticated


def test_activation_link_works_once(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup"), GOOD)
    link = _link(mail.outbox[0])
    assert client.get(link).status_code == 302
    client.logout()
    assert client.get(link).status_code == 400


def test_a_forged_activation_link_is_refused(client, db):
    response = client.get(reverse("accounts:activate", kwargs={"uidb64": "MQ", "token": "abc-123"}))
    assert response.status_code == 400
    assert "does not work" in response.content.decode()


def test_signup_with_a_taken_address_reveals_nothing_and_tells_the_owner(
    client, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), {**GOOD, "email": learner.email})
    assert "Check your email" in response.content.decode()
    assert User.objects.filter(email=learner.email).count() == 1
    assert len(mail.outbox) == 1 and "already have" in mail.outbox[0].subject


def test_signup_refuses_weak_or_different_passwords(client, db):
    response = client.post(reverse("accounts:signup"), {**GOOD, "password1": "12345678", "password2": "12345678"})
    assert "entirely numeric" in response.content.decode() or "too common" in response.content.decode()
    response = client.post(reverse("accounts:signup"), {**GOOD, "password2": "something else entirely"})
    assert "The two passwords differ." in response.content.decode()
    assert not User.objects.exists()


def test_signup_keeps_where_the_user_was_going(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup") + "?next=/en/enrol/mine/", GOOD)
    response = client.get(_link(mail.outbox[0]))
    assert response["Location"] == "/en/enrol/mine/"


def test_signup_ignores_an_unsafe_next(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup") + "?next=https://evil.example/", GOOD)
    response = client.get(_link(mail.outbox[0]))
    assert "evil" not in response["Location"]
