"""`osaamo load_esco FILE`: add or update ESCO skills from an ESCO skills CSV (plain or .gz).

The file needs the columns of ESCO's skills export: conceptUri and preferredLabel, and optionally
altLabels, description, skillType and collections (e.g. /work/shared/data/esco/esco_skills_en_merged.csv).
Running it twice with the same file changes nothing the second time.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from osaamo.errors import DomainError
from osaamo.framework.services import esco_skills_load


class Command(BaseCommand):
    help = "Add or update ESCO skills from an ESCO skills CSV file (plain or gzip-compressed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file with the columns conceptUri, preferredLabel, altLabels, …")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = esco_skills_load(path=options["file"])
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(self.style.SUCCESS(
            gettext("ESCO skills: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.") % {
                "created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged,
            }
        ))
