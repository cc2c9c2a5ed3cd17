"""Writing the framework's reference data (ESCO skills). The data migration loads the shipped files."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from osaamo.audit.services import audit_record
from osaamo.errors import InvalidInput
from osaamo.framework.models import EscoSkill
from osaamo.framework.reference import LoadCounts, ReferenceDataError, load_esco_rows, open_text, read_esco_csv


def esco_skills_load(*, path: Path | str, by: Any | None = None) -> LoadCounts:
    """Add new and update changed ESCO skills from a CSV file (plain or .gz), matched by URI.

    Idempotent: loading the same file again changes nothing. Skills missing from the file stay,
    because learning outcomes may refer to them.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(_("The file %(path)s does not exist.") % {"path": str(path)}, code="file_not_found")
    try:
        with open_text(path) as stream, transaction.atomic():
            counts = load_esco_rows(EscoSkill, read_esco_csv(stream))
            audit_record(action="framework.esco_loaded", actor=by, data={
                "file": path.name, "created": counts.created, "updated": counts.updated,
                "unchanged": counts.unchanged,
            })
    except (ReferenceDataError, UnicodeDecodeError, csv.Error, gzip.BadGzipFile, EOFError) as error:
        raise InvalidInput(
            _("%(path)s is not an ESCO skills CSV file: %(error)s") % {"path": path.name, "error": error},
            code="invalid_esco_file",
        ) from error
    return counts
