"""`demo_load_all()`: the catalog's demo (universities, micro-credentials, offerings, accounts), then
the demo learners' certificates. This app sits above the others so that no bounded context imports
one that builds on it (the catalog never imports credentials)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.utils import timezone

from osaamo.catalog.demo import CONTENT_DIR, DemoReport, demo_load
from osaamo.credentials.demo import demo_issue_credentials


def demo_load_all(*, directory: Path = CONTENT_DIR, today: date | None = None) -> DemoReport:
    """Load the whole demo; what exists is left as it is (running it again changes nothing)."""
    today = today or timezone.localdate()
    report = demo_load(directory=directory, today=today)
    demo_issue_credentials(report=report, today=today)
    return report
