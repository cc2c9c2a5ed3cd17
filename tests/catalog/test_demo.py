"""The demo content loader (osaamo load_demo)."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from osaamo.accounts.models import Membership, Organisation, OrganisationKind, User
from osaamo.audit.models import AuditEntry
from osaamo.catalog.demo import (
    CONTENT_DIR,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    accounts_markdown,
    demo_load,
    read_content,
)
from osaamo.catalog.models import (
    LearningOutcome,
    MicroCredential,
    MicroCredentialVersion,
    Offering,
    OfferingState,
    VersionState,
)
from osaamo.credentials.models import IssuedCredential

DATA = Path(__file__).parent / "data"
SMALL = DATA / "demo_small"
REFUSED = DATA / "demo_refused"


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (
        Organisation, User, Membership, MicroCredential, MicroCredentialVersion, LearningOutcome, Offering,
        IssuedCredential, AuditEntry)}


def test_the_demo_loads_and_a_second_run_changes_nothing(db):
    output = load_demo()
    first = snapshot()
    assert first["IssuedCredential"] > 0 and re.search(r"demo certificates: [1-9]\d* new", output)  # every app's demo

    output = load_demo()

    assert snapshot() == first
    assert "micro-credentials: 0 new" in output and "demo certificates: 0 new" in output


def test_the_demo_has_universities_with_complete_published_micro_credentials(db):
    load_demo()
    _providers, items = read_content(CONTENT_DIR)

    assert Organisation.objects.filter(kind=OrganisationKind.PROVIDER).count() >= 10
    published = (MicroCredentialVersion.objects.filter(state=VersionState.PUBLISHED)
                 .prefetch_related("outcomes__skills", "offerings"))
    assert published.count() == len(items) >= 60
    today = timezone.localdate()
    for version in published:
        code = version.micro_credential.code
        assert set(version.title) == {"fi", "sv", "en"}, code
        assert version.outcomes.all(), code
        assert any(outcome.skills.all() for outcome in version.outcomes.all()), code
        assert any(o.state == OfferingState.SCHEDULED and o.end_date >= today for o in version.offerings.all()), code


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda account: account.email)
def test_every_demo_account_signs_in_with_the_documented_password(db, client, account):
    demo_load(directory=SMALL)

    response = client.post(reverse("accounts:login"), {"username": account.email, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email=account.email).pk)
    if account.role:
        assert Membership.objects.filter(user__email=account.email, organisation__slug=account.organisation,
                                         role=account.role).exists()
    assert User.objects.get(email=account.email).preferred_language == account.language


def test_the_operator_account_opens_the_django_admin(db, client):
    demo_load(directory=SMALL)
    client.login(username="operator@osaamo.demo", password=DEMO_PASSWORD)

    assert client.get("/admin/").status_code == 200


def test_every_provider_has_an_administrator_who_owns_its_micro_credentials(db):
    demo_load(directory=SMALL)

    for micro_credential in MicroCredential.objects.select_related("provider", "created_by"):
        assert micro_credential.created_by.email == f"admin@{micro_credential.provider.slug}.demo"
    aalto = MicroCredentialVersion.objects.get(micro_credential__code="AALTO-TEST-001")
    assert [p.slug for p in aalto.co_providers.all()] == ["helsinki"]


def test_offering_dates_are_relative_to_the_day_the_demo_is_loaded(db):
    day = timezone.localdate() - timedelta(days=7)  # loaded a week ago
    demo_load(directory=SMALL, today=day)

    offerings = list(Offering.objects.filter(version__micro_credential__code="HY-TEST-001").order_by("start_date"))
    assert [(o.start_date, o.end_date) for o in offerings] == [
        (day + timedelta(days=30), day + timedelta(days=90)), (day + timedelta(days=90), day + timedelta(days=120))]
    assert timezone.localtime(offerings[0].enrolment_opens).date() == day - timedelta(days=5)
    assert offerings[1].place == {"fi": "Helsinki", "sv": "Helsingfors", "en": "Helsinki"}
    assert offerings[1].seats is None


def test_the_demo_refuses_to_load_in_production_unless_forced(db, settings):
    settings.OSAAMO_PRODUCTION = True
    with pytest.raises(CommandError, match="production installation"):
        load_demo("--content", str(SMALL))
    assert not MicroCredential.objects.exists()

    load_demo("--content", str(SMALL), "--force")
    assert MicroCredential.objects.count() == 2


def test_a_refused_micro_credential_is_reported_with_its_findings_and_the_command_fails(db):
    out = StringIO()
    with pytest.raises(CommandError, match="3 demo micro-credentials were not loaded: "
                                           "HY-BAD-ECTS, HY-BAD-SKILL, UTU-NO-PROVIDER") as error:
        call_command("load_demo", "--content", str(REFUSED), stdout=out)
    assert error.value.returncode == 1
    output = out.getvalue()
    assert "helsinki HY-BAD-ECTS" in output and "ects.out_of_range [ects]" in output
    assert "learning_outcomes.0: Unknown ESCO skill." in output
    # Nothing of a refused one is left behind, so a later run loads it once the content is fixed.
    assert list(MicroCredential.objects.values_list("code", flat=True)) == ["HY-OK-001"]

    with pytest.raises(CommandError, match="3 demo micro-credentials were not loaded"):
        load_demo("--content", str(REFUSED))
    assert MicroCredential.objects.count() == 1


def test_unreadable_content_is_a_clear_error(db, tmp_path):
    (tmp_path / "providers.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match=r"cannot be read: providers\.json"):
        load_demo("--content", str(tmp_path))


def test_accounts_md_is_the_table_of_the_demo_accounts():
    assert (CONTENT_DIR / "ACCOUNTS.md").read_text(encoding="utf-8") == accounts_markdown()
    table = accounts_markdown()
    assert all(f"`{account.email}`" in table for account in DEMO_ACCOUNTS)
    assert f"`{DEMO_PASSWORD}`" in table
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert table.strip() in readme, "README.md must show the demo accounts: paste catalog/demo/ACCOUNTS.md into it"


def test_the_demo_output_lists_the_accounts_and_the_password(db):
    output = load_demo("--content", str(SMALL))
    assert "`admin@helsinki.demo`" in output
    assert f"Password of every demo account: {DEMO_PASSWORD}" in output


def test_the_demo_content_names_only_known_providers():
    providers, items = read_content(CONTENT_DIR)
    slugs = {provider["slug"] for provider in providers}
    assert {item["provider"] for item in items} <= slugs
    assert all(co in slugs for item in items for co in item.get("co_providers") or [])

