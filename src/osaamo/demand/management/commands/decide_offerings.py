"""`osaamo decide_offerings`: decide tentative offerings (demand pooling). Run it from cron or a systemd
timer, e.g. hourly:

    15 * * * *  osaamo decide_offerings

An offering that has reached its minimum is confirmed (held places invoiced, pledges bought) and one
whose decision date has come without it is cancelled (nobody charged); everyone is told by mail.
Safe to run again or in two places at once: each offering is decided under its row lock, once.
`--enqueue` hands the run to the task worker (django-tasks) instead of running it here.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from osaamo.demand import pooling
from osaamo.demand.tasks import decide_offerings_task


class Command(BaseCommand):
    help = ("Decide tentative offerings: confirm those that reached their minimum, cancel those whose decision "
            "date has come without it. Idempotent; run it hourly from cron or a systemd timer.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true",
                            help="Enqueue the decision for the task worker instead of running it now.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = decide_offerings_task.enqueue()
            self.stdout.write(_("Enqueued the decision (task %(id)s).") % {"id": result.id})
            return
        decisions = pooling.decide_offerings()
        self.stdout.write(_("Confirmed: %(confirmed)s. Cancelled: %(cancelled)s. Still waiting: %(waiting)s.") % {
            "confirmed": len(decisions.confirmed), "cancelled": len(decisions.cancelled),
            "waiting": len(decisions.waiting)})
        for label, ids in ((_("confirmed"), decisions.confirmed), (_("cancelled"), decisions.cancelled)):
            for offering_id in ids:
                self.stdout.write(f"  {label}: {offering_id}")
