"""`osaamo reindex`: rebuild the catalog search index from the published catalog."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from osaamo.catalog.search.analysis import warm_up
from osaamo.catalog.search.indexing import index_status, reindex_all


class Command(BaseCommand):
    help = _(
        "Rebuild the catalog search index (documents, offerings and vocabulary) from every published "
        "micro-credential. Needed after upgrading the text analysis or the ESCO labels; publishing, "
        "retiring and offering changes keep the index current on their own."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help=_("Micro-credentials per batch."))
        parser.add_argument("--check", action="store_true",
                            help=_("Only report whether the index has every published micro-credential."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            status = index_status()
            self.stdout.write(_("%(documents)s micro-credentials in the index, %(published)s published, "
                                "%(terms)s terms.") % status)
            if status["documents"] != status["published"]:
                self.stdout.write(self.style.WARNING(_("The index is not complete: run osaamo reindex.")))
            return
        started = time.perf_counter()
        warm_up()
        verbosity = options["verbosity"]

        def progress(done: int, total: int) -> None:
            if verbosity > 1:
                self.stdout.write(_("%(done)s / %(total)s") % {"done": done, "total": total})

        count = reindex_all(batch_size=max(1, options["batch_size"]), progress=progress)
        self.stdout.write(self.style.SUCCESS(
            _("%(count)s micro-credentials indexed in %(seconds).1f s.")
            % {"count": count, "seconds": time.perf_counter() - started}
        ))
