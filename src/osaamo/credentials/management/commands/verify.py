"""`osaamo verify FILE…`: verify credential files offline, with this installation's issuers and status lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from osaamo.credentials.verification import MAX_BYTES, verify_credential


class Command(BaseCommand):
    help = ("Verify credential files (JSON) offline: signature, issuer key, validity, revocation and suspension, "
            "schema, recognised issuer. Exit status 0 only when every file is valid.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        failures = 0
        for path in options["files"]:
            self.stdout.write(self.style.MIGRATE_HEADING(str(path)))
            try:
                with path.open("rb") as handle:
                    data = handle.read(MAX_BYTES + 1)
            except OSError as error:
                failures += 1
                self.stdout.write(self.style.ERROR("  " + _("cannot read the file: %(error)s") % {
                    "error": error.strerror or error}))
                continue
            report = verify_credential(data)
            style = self.style.SUCCESS if report.is_valid else self.style.ERROR
            self.stdout.write("  " + style(f"{report.headline.upper()}") + f" — {report.explanation}")
            if report.summary.get("name"):
                self.stdout.write(f"  {report.summary['name']} · {report.summary.get('issuer_name', '')}")
            for check in report.checks:
                mark = {"passed": "✓", "failed": "✗", "warning": "!", "not_applicable": "–"}.get(check.outcome, "?")
                self.stdout.write(f"  {mark} {check.title}: {check.message}")
            if not report.is_valid:
                failures += 1
        total = len(options["files"])
        summary = _("%(valid)s of %(total)s files are valid.") % {"valid": total - failures, "total": total}
        self.stdout.write(self.style.SUCCESS(summary) if not failures else self.style.ERROR(summary))
        if failures:
            raise SystemExit(1)
