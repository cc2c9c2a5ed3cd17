"""`osaamo resume_stalled_issuing`: enqueue again every bulk issuing whose worker has gone.

Normally not needed: a running job's watch task resumes it when its worker's lease runs out. This is for
when the task queue itself was lost or pruned (run it from cron, or once after such an event).
"""

from typing import Any

from django.core.management.base import BaseCommand

from osaamo.credentials.services import issuing_jobs_resume_stalled


class Command(BaseCommand):
    help = "Enqueue again every bulk issuing job whose worker has stopped (its lease has run out)."

    def handle(self, *args: Any, **options: Any) -> None:
        resumed = issuing_jobs_resume_stalled()
        self.stdout.write(f"{len(resumed)} issuing job(s) enqueued again" + (f": {resumed}" if resumed else "."))
