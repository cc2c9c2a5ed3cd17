"""`osaamo load_demo`: the demo universities, micro-credentials, employers, accounts and the demo
learners' certificates (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from osaamo.catalog.demo import (
    CONTENT_DIR,
    DEMO_PASSWORD,
    DemoContentError,
    DemoReport,
    accounts_markdown,
)
from osaamo.demo.services import demo_load_all

# What the report counts, in the reader's language.
KINDS = {
    "accounts": _("accounts"),
    "demo certificates": _("demo certificates"),
    "micro-credentials": _("micro-credentials"),
    "offerings": _("offerings"),
    "organisations": _("organisations"),
}


class Command(BaseCommand):
    help = _(  # type: ignore[assignment]  # lazy: shown in the reader's language
        "Load the demo: 12 Finnish universities with published micro-credentials and offerings (dates relative "
        "to today), fictitious employers, the operator, and a demo account for every role. Running it again "
        "changes nothing. Refuses to run when OSAAMO_PRODUCTION=1 unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true",
                            help=gettext("Load the demo even though OSAAMO_PRODUCTION=1 (demo accounts have a "
                                         "published password)."))
        parser.add_argument("--content", type=Path, default=CONTENT_DIR, metavar="DIR",
                            help=gettext("A directory with providers.json and micro_credentials_*.json "
                                         "(default: the bundled demo content)."))

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "OSAAMO_PRODUCTION", False) and not options["force"]:
            raise CommandError(str(_(
                "This is a production installation (OSAAMO_PRODUCTION=1): the demo's accounts share a published "
                "password. Nothing was loaded. Use --force only if you really want the demo here."
            )))
        try:
            report = demo_load_all(directory=options["content"])
        except DemoContentError as error:
            raise CommandError(str(_("The demo content cannot be read: %(error)s") % {"error": error})) from None
        self._print(report)
        if report.failures:
            codes = ", ".join(failure.code for failure in report.failures)
            raise CommandError(str(_("%(n)s demo micro-credentials were not loaded: %(codes)s.")
                                   % {"n": len(report.failures), "codes": codes}))

    def _print(self, report: DemoReport) -> None:
        write = self.stdout.write
        for what in sorted({*report.created, *report.existing}):
            write(str(_("%(what)s: %(created)s new, %(existing)s already there.")
                      % {"what": KINDS.get(what, what), "created": report.created.get(what, 0),
                         "existing": report.existing.get(what, 0)}))
        for failure in report.failures:
            write(self.style.ERROR(f"{failure.provider} {failure.code}: {failure.message}"))
            for finding in failure.findings:
                if finding.is_error:
                    write(f"    {finding.code} [{finding.field}]: {finding.text()}")
            for name, problems in failure.details.items():
                for problem in problems if isinstance(problems, list) else [problems]:
                    write(f"    {name}: {problem}")
        if not report.failures:
            write(self.style.SUCCESS(str(_("The demo is loaded."))))
        write("")
        write(accounts_markdown())
        write(str(_("Password of every demo account: %(password)s") % {"password": DEMO_PASSWORD}))
