"""The demo: real Finnish universities, fictitious micro-credentials, and an account for every role.

`demo_load()` (run by `osaamo load_demo`, through `osaamo.demo.services.demo_load_all`, after
`make run` has migrated) reads the content in
`catalog/demo/` (format: demo/FORMAT.md) and writes it through the real services, so every demo
micro-credential has passed the same validator as one a provider designs. It is idempotent: what
already exists (matched by slug, email, or provider + code) is left as it is, so running it again
changes nothing. Each micro-credential is created, published and given its offerings in one
transaction; one that the validator refuses is left out entirely (and reported), so a later run,
after the content is fixed, loads it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.models import Organisation, OrganisationKind, Role, User
from osaamo.accounts.services import membership_grant, organisation_create, user_create
from osaamo.audit.services import audit_record
from osaamo.catalog.models import MicroCredential
from osaamo.catalog.services import (
    PublishRefused,
    micro_credential_create,
    offering_create,
    version_publish,
)
from osaamo.errors import DomainError
from osaamo.framework.rules import Finding

CONTENT_DIR = Path(__file__).resolve().parent / "demo"
# Documented in README.md; the command refuses to run in production.
DEMO_PASSWORD = "osaamo-demo"  # noqa: S105 - a published demo password, by design

OPERATOR: dict[str, Any] = {
    "slug": "osaamo",
    "name": {"fi": "Osaamo-palvelu", "sv": "Osaamo-tjänsten", "en": "Osaamo service"},
    "description": {
        "fi": "Palvelun ylläpitäjä (demo).",
        "sv": "Tjänstens operatör (demo).",
        "en": "The operator of the service (demo).",
    },
    "city": "Helsinki",
}
# Fictitious employers.
EMPLOYERS: tuple[dict[str, Any], ...] = (
    {
        "slug": "konepaja",
        "name": {"fi": "Konepaja Oy", "sv": "Konepaja Oy", "en": "Konepaja Oy"},
        "description": {
            "fi": "Kuvitteellinen konepaja, joka kouluttaa henkilöstöään (demo).",
            "sv": "En fiktiv verkstad som utbildar sin personal (demo).",
            "en": "A fictitious engineering works that trains its staff (demo).",
        },
        "city": "Tampere",
    },
    {
        "slug": "hoivapolku",
        "name": {"fi": "Hoivapolku Oy", "sv": "Hoivapolku Ab", "en": "Hoivapolku Ltd"},
        "description": {
            "fi": "Kuvitteellinen hoivapalveluyritys (demo).",
            "sv": "Ett fiktivt omsorgsföretag (demo).",
            "en": "A fictitious care services company (demo).",
        },
        "city": "Oulu",
    },
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    language: str
    organisation: str = ""  # slug
    role: str = ""
    superuser: bool = False


def _staff(slug: str, names: Mapping[str, str]) -> list[DemoAccount]:
    return [DemoAccount(f"{kind}@{slug}.demo", names[kind], "fi", slug, role) for kind, role in (
        ("admin", Role.PROVIDER_ADMIN),
        ("designer", Role.DESIGNER),
        ("registrar", Role.REGISTRAR),
        ("teacher", Role.TEACHER),
    ) if kind in names]


# Every role, in the order of the README table. Providers other than Helsinki and Aalto get an
# administrator account too (admin@<slug>.demo), who owns their demo micro-credentials.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    *_staff("helsinki", {"admin": "Hanna Hallikainen", "designer": "Daniel Salo", "registrar": "Riitta Rekola",
                         "teacher": "Tuomas Opettaja"}),
    *_staff("aalto", {"admin": "Aino Aaltonen", "designer": "Antti Mäkelä", "registrar": "Reija Nieminen"}),
    DemoAccount("hr@konepaja.demo", "Heli Koskinen", "fi", "konepaja", Role.EMPLOYER_ADMIN),
    DemoAccount("worker@konepaja.demo", "Ville Lehtonen", "fi", "konepaja", Role.EMPLOYER_MEMBER),
    DemoAccount("hr@hoivapolku.demo", "Sanna Heikkinen", "fi", "hoivapolku", Role.EMPLOYER_ADMIN),
    DemoAccount("operator@osaamo.demo", "Olli Operaattori", "fi", "osaamo", Role.OPERATOR, superuser=True),
    DemoAccount("learner@osaamo.demo", "Laura Learner", "en"),
    DemoAccount("oppija@osaamo.demo", "Outi Oppija", "fi"),
    DemoAccount("elev@osaamo.demo", "Elsa Elevsson", "sv"),
)


@dataclass
class DemoFailure:
    code: str
    provider: str
    message: str
    findings: list[Finding] = field(default_factory=list)
    details: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)  # what was new: organisations, accounts, …
    existing: dict[str, int] = field(default_factory=dict)  # what was already there
    failures: list[DemoFailure] = field(default_factory=list)

    def add(self, what: str, created: bool) -> None:
        counts = self.created if created else self.existing
        counts[what] = counts.get(what, 0) + 1


class DemoContentError(Exception):
    """The demo content files cannot be read (a broken file, not a refused micro-credential)."""


# --- reading the content --------------------------------------------------------------------------

def _read_list(path: Path) -> list[dict[str, Any]]:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DemoContentError(f"{path.name}: {error}") from None
    if not isinstance(content, list) or not all(isinstance(item, dict) for item in content):
        raise DemoContentError(f"{path.name}: expected a JSON list of objects (see FORMAT.md)")
    return content


def read_content(directory: Path = CONTENT_DIR) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(providers, micro-credentials) from `directory`; the micro-credentials of every micro_credentials_*.json."""
    providers = _read_list(directory / "providers.json")
    micro_credentials: list[dict[str, Any]] = []
    for path in sorted(directory.glob("micro_credentials_*.json")):
        micro_credentials.extend(_read_list(path))
    for required, items in ((("slug", "name"), providers), (("provider", "code"), micro_credentials)):
        for item in items:
            missing = [key for key in required if not item.get(key)]
            if missing:
                raise DemoContentError(f"an entry has no {', '.join(missing)}: {json.dumps(item)[:120]}")
    return providers, micro_credentials


# --- writing --------------------------------------------------------------------------------------

def _organisation(kind: str, data: Mapping[str, Any], report: DemoReport) -> Organisation:
    existing = Organisation.objects.filter(slug=data["slug"]).first()
    if existing is not None:
        report.add("organisations", created=False)
        return existing
    fields = {key: data[key] for key in ("description", "city", "homepage", "institution_code") if data.get(key)}
    organisation = organisation_create(kind=kind, slug=data["slug"], name=data["name"], country="FI", **fields)
    report.add("organisations", created=True)
    return organisation


def _account(account: DemoAccount, report: DemoReport) -> User:
    user = User.objects.filter(email=account.email).first()
    if user is None:
        user = user_create(email=account.email, password=DEMO_PASSWORD, full_name=account.full_name,
                           preferred_language=account.language)
        report.add("accounts", created=True)
    else:
        report.add("accounts", created=False)
    if account.superuser and not (user.is_staff and user.is_superuser):
        # The operator's demo account opens /admin/ too. No service grants Django admin rights, so
        # it is done here, with its audit row.
        with transaction.atomic():
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
            audit_record(action="user.superuser_granted", actor=None, target=user, data={"email": user.email})
    if account.organisation and account.role:
        organisation = Organisation.objects.get(slug=account.organisation)
        membership_grant(organisation=organisation, user=user, role=account.role)
    return user


def provider_admin_email(slug: str) -> str:
    return f"admin@{slug}.demo"


def _when(today: date, days: int, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(today + timedelta(days=days), at))


def offering_data(offering: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The offering service's input from a demo offering, with dates relative to `today`."""
    start = today + timedelta(days=int(offering["start_in_days"]))
    return {
        "start_date": start,
        "end_date": start + timedelta(days=int(offering["duration_days"])),
        "enrolment_opens": _when(today, int(offering["enrolment_opens_in_days"]), time(9, 0)),
        "enrolment_closes": _when(today, int(offering["enrolment_closes_in_days"]), time(23, 59)),
        **{key: offering[key] for key in ("mode", "language", "seats", "min_participants", "price_individual",
                                          "price_organisation") if key in offering},
        "place": offering.get("place") or {},
    }


DESIGN_KEYS_SKIPPED = frozenset({"provider", "code", "offerings"})


def _micro_credential(item: Mapping[str, Any], today: date, report: DemoReport) -> None:
    code, slug = str(item["code"]), str(item["provider"])
    provider = Organisation.objects.filter(slug=slug, kind=OrganisationKind.PROVIDER).first()
    if provider is None:
        report.failures.append(DemoFailure(code, slug, str(_("No provider %(slug)s in providers.json.")
                                                         % {"slug": slug})))
        return
    if MicroCredential.objects.filter(provider=provider, code=code).exists():
        report.add("micro-credentials", created=False)
        return
    admin = User.objects.get(email=provider_admin_email(slug))
    data = {key: value for key, value in item.items() if key not in DESIGN_KEYS_SKIPPED}
    try:
        offerings = [offering_data(offering, today) for offering in item.get("offerings") or []]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        report.failures.append(DemoFailure(code, slug, str(_("Malformed offering: %(error)s") % {"error": error})))
        return
    try:
        with transaction.atomic():  # all of it, or none of it: a refused one is loaded by a later run
            version = micro_credential_create(provider=provider, by=admin, code=code, data=data)
            version = version_publish(version=version, by=admin)
            for offering in offerings:
                offering_create(version=version, by=admin, data=offering)
    except PublishRefused as refused:
        report.failures.append(DemoFailure(code, slug, str(refused.message), findings=list(refused.details or [])))
        return
    except DomainError as error:
        details = error.details if isinstance(error.details, dict) else {}
        report.failures.append(DemoFailure(code, slug, str(error.message), details=details))
        return
    report.add("micro-credentials", created=True)
    for _offering in offerings:
        report.add("offerings", created=True)


def demo_load(*, directory: Path = CONTENT_DIR, today: date | None = None) -> DemoReport:
    """Load the demo content from `directory` (see FORMAT.md); what exists is left as it is."""
    today = today or timezone.localdate()
    providers, micro_credentials = read_content(directory)
    report = DemoReport()
    with transaction.atomic():
        _organisation(OrganisationKind.OPERATOR, OPERATOR, report)
        for provider in providers:
            _organisation(OrganisationKind.PROVIDER, provider, report)
        for employer in EMPLOYERS:
            _organisation(OrganisationKind.EMPLOYER, employer, report)
        accounts = list(DEMO_ACCOUNTS)
        listed = {account.email for account in accounts}
        for provider in providers:
            email = provider_admin_email(provider["slug"])
            if email not in listed:
                name = provider["name"].get("fi") or provider["slug"]
                accounts.append(DemoAccount(email, f"{name}: ylläpitäjä", "fi", provider["slug"],
                                            Role.PROVIDER_ADMIN))
        for account in accounts:
            if account.organisation and not Organisation.objects.filter(slug=account.organisation).exists():
                continue  # a small content set without Helsinki or Aalto (tests)
            _account(account, report)
    for item in micro_credentials:
        _micro_credential(item, today, report)
    return report


# --- the accounts table ---------------------------------------------------------------------------

ROLE_DESCRIPTIONS: dict[str, str] = {
    Role.PROVIDER_ADMIN: "provider administrator: publishes, manages staff, sees everything of the university",
    Role.DESIGNER: "designer: drafts micro-credentials and offerings",
    Role.REGISTRAR: "registrar: enrolments, assessment, issuing credentials",
    Role.TEACHER: "teacher: records the assessment results of the university's offerings",
    Role.EMPLOYER_ADMIN: "employer administrator: buys seats, follows the staff's learning",
    Role.EMPLOYER_MEMBER: "employee of an employer",
    Role.OPERATOR: "platform operator; also Django superuser for /admin/",
}
LANGUAGE_NAMES = {"fi": "Finnish", "sv": "Swedish", "en": "English"}


def accounts_markdown(directory: Path = CONTENT_DIR) -> str:
    """The README's table of demo accounts (ACCOUNTS.md is this text; a test keeps them equal)."""
    providers, _micro_credentials = read_content(directory)
    listed = {account.organisation for account in DEMO_ACCOUNTS}
    others = ", ".join(f"`{p['slug']}`" for p in providers if p["slug"] not in listed)
    lines = [
        "## Demo accounts",
        "",
        f"`make run` loads the demo (`osaamo load_demo`). Every demo account has the password "
        f"`{DEMO_PASSWORD}`. The demo refuses to load when `OSAAMO_PRODUCTION=1` "
        f"(unless given `--force`).",
        "",
        "| email | role | organisation | language |",
        "|---|---|---|---|",
    ]
    names = {"osaamo": "Osaamo (operator)", "konepaja": "Konepaja Oy (fictitious employer)",
             "hoivapolku": "Hoivapolku Oy (fictitious employer)", "helsinki": "University of Helsinki",
             "aalto": "Aalto University"}
    for account in DEMO_ACCOUNTS:
        role = ROLE_DESCRIPTIONS[account.role] if account.role else "learner"
        organisation = names.get(account.organisation, account.organisation) if account.organisation else "—"
        lines.append(f"| `{account.email}` | {role} | {organisation} | {LANGUAGE_NAMES[account.language]} |")
    lines += [
        "",
        f"Every other demo university has an administrator too, `admin@<slug>.demo`, with the slugs {others}. "
        "The universities are real; their demo micro-credentials, the employers and the people are fictitious.",
        "",
    ]
    return "\n".join(lines)
