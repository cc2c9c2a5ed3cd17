"""`osaamo credentials export --out DIR [--provider SLUG]`: an archive that stays verifiable offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from osaamo.accounts.models import Organisation, OrganisationKind
from osaamo.credentials.exporting import archive_export


class Command(BaseCommand):
    help = "Credentials administration. `export`: every issued credential, DID document and status list."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        export = commands.add_parser("export", help="Write the archive of issued credentials to a directory.")
        export.add_argument("--out", type=Path, required=True, metavar="DIR")
        export.add_argument("--provider", metavar="SLUG", help="Only this provider (default: every provider).")

    def handle(self, *args: Any, **options: Any) -> None:
        providers = Organisation.objects.filter(kind=OrganisationKind.PROVIDER).order_by("slug")
        if options.get("provider"):
            providers = providers.filter(slug=options["provider"])
            if not providers.exists():
                raise CommandError(_("No provider %(slug)s.") % {"slug": options["provider"]})
        manifest = archive_export(options["out"], providers=providers)
        self.stdout.write(self.style.SUCCESS(
            _("Exported %(credentials)s credentials of %(issuers)s issuers and %(lists)s status lists to %(out)s.")
            % {"credentials": len(manifest["credentials"]), "issuers": len(manifest["issuers"]),
               "lists": len(manifest["status_lists"]), "out": options["out"]}))
