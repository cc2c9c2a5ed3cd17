"""`osaamo import-courses FILE`: a study information system export → draft micro-credentials."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser, DjangoHelpFormatter
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.models import Organisation, User
from osaamo.catalog.importing import (
    DEFAULT_LEVEL_MAP,
    DEFAULTABLE_FIELDS,
    ImportOptions,
    ImportReport,
    RowResult,
    RowStatus,
    courses_import,
)
from osaamo.catalog.models import VersionState
from osaamo.errors import DomainError
from osaamo.framework.vocabularies import (
    HOURS_PER_ECTS_FINLAND,
    AssessmentType,
    IdentityVerification,
    ParticipationForm,
    QualityAssurance,
    Stackability,
)
from osaamo.translation import LANGUAGE_CODES

# Option → design field for the three-language texts (--assessment-text-fi …).
TEXT_OPTIONS: dict[str, str] = {
    "assessment_text": "assessment_description",
    "quality_assurance_text": "quality_assurance_description",
    "stackability_text": "stackability_description",
}
CODE_OPTIONS: dict[str, str] = {
    "assessment_type": "assessment_type",
    "quality_assurance": "quality_assurance",
    "participation_form": "participation_form",
    "identity_verification": "identity_verification",
    "stackability": "stackability",
    "isced": "isced_f",
}
STATUS_LABELS = {
    RowStatus.CREATED: _("created"),
    RowStatus.UPDATED: _("updated"),
    RowStatus.UNCHANGED: _("unchanged"),
    RowStatus.INVALID: _("invalid, not imported"),
}


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's order of options, with the description's line breaks kept."""


def parse_level_map(values: list[str]) -> dict[str, int | None]:
    """`--level-map basic-studies=6,advanced-studies=7` (repeatable) over the default map."""
    level_map = dict(DEFAULT_LEVEL_MAP)
    for value in values:
        for pair in value.split(","):
            if not pair.strip():
                continue
            level, separator, eqf = pair.partition("=")
            level, eqf = level.strip(), eqf.strip().lower()
            if not separator or not level:
                raise CommandError(gettext("--level-map wants LEVEL=EQF pairs, e.g. advanced-studies=7; got “%(pair)s”.")
                                   % {"pair": pair})
            if eqf in ("none", ""):
                level_map[level] = None
            elif eqf.isdigit() and 1 <= int(eqf) <= 8:
                level_map[level] = int(eqf)
            else:
                raise CommandError(gettext("The EQF level of %(level)s must be 1–8 or none; got “%(eqf)s”.")
                                   % {"level": level, "eqf": eqf})
    return level_map


class Command(BaseCommand):
    help = _(  # type: ignore[assignment]  # lazy: shown in the reader's language
        "Import courses from a study information system export (JSON Lines, one course per line, as exported\n"
        "from Sisu) as DRAFT micro-credentials of one provider, and show what the validator says about each.\n"
        "\n"
        "A course is matched by provider and course code: importing the same file again updates the drafts\n"
        "(a published micro-credential gets a new draft version only when something changed) and never\n"
        "duplicates. The whole file is one transaction: if any row is invalid nothing is imported, unless\n"
        "--skip-invalid. Use --dry-run first to see what would happen.\n"
        "\n"
        "The export has no EQF level, ISCED-F field, type of assessment or quality assurance; give them with\n"
        "the options below (or in a --defaults JSON file). A text option fills the languages a row lacks.\n"
        "\n"
        "Example:\n"
        "  osaamo import-courses courses.jsonl --provider aalto --user designer@aalto.fi \\\n"
        "      --isced 0613 --assessment-type assignments \\\n"
        "      --assessment-text-fi 'Harjoitustyöt arvioidaan asteikolla 0–5.' \\\n"
        "      --quality-assurance internal_qa_audited --level-map other-studies=6 --dry-run"
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=gettext("The export: a JSON Lines file in UTF-8, or - for standard input."))
        parser.add_argument("--provider", required=True, metavar="SLUG",
                            help=gettext("The provider (its short name, e.g. aalto) that will own the drafts."))
        parser.add_argument("--user", required=True, metavar="EMAIL",
                            help=gettext("Act as this person: a designer or administrator of the provider "
                                         "(an administrator to --publish)."))

        lacks = parser.add_argument_group(
            gettext("what the export lacks"),
            gettext("Codes as in osaamo.framework.vocabularies; each applies to every row that has no value of "
                    "its own."),
        )
        default_map = ",".join(f"{level}={eqf}" for level, eqf in DEFAULT_LEVEL_MAP.items())
        lacks.add_argument(
            "--level-map", action="append", default=[], metavar="LEVEL=EQF[,LEVEL=EQF…]",
            help=gettext("SIS study level → EQF level (the QF-EHEA cycle follows from it); added to the default "
                         "%(map)s. EQF none imports without a level. A row with a level that has no mapping is "
                         "invalid.") % {"map": default_map},
        )
        lacks.add_argument("--hours-per-ects", type=int, default=HOURS_PER_ECTS_FINLAND, metavar="HOURS",
                           help=gettext("Hours of work per ECTS credit, for the workload in hours "
                                        "(default %(default)s, the Finnish convention)."))
        lacks.add_argument("--isced", metavar="CODE",
                           help=gettext("ISCED-F 2013 field of education, e.g. 0613."))
        lacks.add_argument("--assessment-type", choices=AssessmentType.values)
        lacks.add_argument("--participation-form", choices=ParticipationForm.values,
                           help=gettext("Default: from the realisation type in the export, where it tells."))
        lacks.add_argument("--quality-assurance", choices=QualityAssurance.values)
        lacks.add_argument("--identity-verification", choices=IdentityVerification.values)
        lacks.add_argument("--stackability", choices=Stackability.values)
        for option, what in (("assessment-text", gettext("the assessment")),
                             ("quality-assurance-text", gettext("the quality assurance")),
                             ("stackability-text", gettext("stackability"))):
            for code in LANGUAGE_CODES:
                lacks.add_argument(f"--{option}-{code}", metavar="TEXT",
                                   help=gettext("Description of %(what)s in %(language)s.")
                                   % {"what": what, "language": code})
        lacks.add_argument(
            "--defaults", metavar="JSON_FILE",
            help=gettext("A JSON object of the same defaults in the demo content format, e.g. "
                         '{"assessment_type": "assignments", "target_group": {"fi": "…", "en": "…"}}. Allowed '
                         "keys: %(keys)s. Options given on the command line win.")
            % {"keys": ", ".join(DEFAULTABLE_FIELDS)},
        )

        run = parser.add_argument_group(gettext("how to run"))
        run.add_argument("--publish", action="store_true",
                         help=gettext("Publish every imported micro-credential that passes every rule "
                                      "(needs the administrator role)."))
        run.add_argument("--dry-run", action="store_true",
                         help=gettext("Show what would happen, and save nothing."))
        run.add_argument("--skip-invalid", action="store_true",
                         help=gettext("Import the valid rows even if some rows are invalid (they are reported)."))
        run.add_argument("--language", choices=LANGUAGE_CODES,
                         help=gettext("Language of the report (default: the user's preferred language)."))

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["user"].strip()).first()
        if user is None or not user.is_active:
            raise CommandError(gettext("No active user with the email address %(email)s.") % {"email": options["user"]})
        with translation.override(options["language"] or user.preferred_language):
            self._import(user, options)

    def _import(self, user: User, options: dict[str, Any]) -> None:
        provider = Organisation.objects.filter(slug=options["provider"].strip()).first()
        if provider is None:
            raise CommandError(str(_("No organisation with the short name %(slug)s.") % {"slug": options["provider"]}))
        import_options = ImportOptions(
            level_map=parse_level_map(options["level_map"]),
            hours_per_ects=options["hours_per_ects"],
            defaults=self._defaults(options),
            publish=options["publish"],
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
        )
        source = options["file"]
        try:
            stream: BinaryIO = sys.stdin.buffer if source == "-" else Path(source).open("rb")  # noqa: SIM115
        except OSError as error:
            raise CommandError(str(_("Cannot read %(file)s: %(reason)s.")
                                   % {"file": source, "reason": error.strerror or error})) from None
        verbosity = options["verbosity"]
        if verbosity >= 1:
            self.stdout.write(str(_("Importing into %(provider)s (%(slug)s) as %(user)s.")
                                  % {"provider": provider.display_name, "slug": provider.slug, "user": user.email}))

        def on_row(row: RowResult) -> None:  # printed as soon as the row is done: a big file streams
            if verbosity >= 1 or row.status == RowStatus.INVALID:
                self._print_row(row)

        try:
            report = courses_import(provider=provider, by=user, lines=_lines(stream), options=import_options,
                                    on_row=on_row)
        except DomainError as error:
            raise CommandError(_domain_error_text(error)) from None
        except OSError as error:
            raise CommandError(str(_("Cannot read %(file)s: %(reason)s.")
                                   % {"file": source, "reason": error.strerror or error})) from None
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
        self._print(report)
        if report.fatal:
            raise CommandError(report.fatal)
        if not report.ok:
            raise CommandError(str(_(
                "Nothing was imported: %(n)s rows are invalid (see the line numbers above). Fix them, or run "
                "again with --skip-invalid to import the valid rows."
            ) % {"n": report.invalid}))

    def _defaults(self, options: dict[str, Any]) -> dict[str, Any]:
        defaults: dict[str, Any] = {}
        if options["defaults"]:
            try:
                with Path(options["defaults"]).open(encoding="utf-8") as handle:
                    loaded = json.load(handle)
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
                raise CommandError(str(_("Cannot read the defaults file %(file)s: %(reason)s.")
                                       % {"file": options["defaults"], "reason": error})) from None
            if not isinstance(loaded, dict):
                raise CommandError(str(_("The defaults file must contain one JSON object.")))
            defaults.update(loaded)
        for option, name in CODE_OPTIONS.items():
            if options[option]:
                defaults[name] = options[option]
        for option, name in TEXT_OPTIONS.items():
            texts = {code: options[f"{option}_{code}"] for code in LANGUAGE_CODES if options[f"{option}_{code}"]}
            if texts:
                defaults[name] = {**(defaults.get(name) or {}), **texts}
        return defaults

    # --- the report -------------------------------------------------------------------------------

    def _print(self, report: ImportReport) -> None:
        write = self.stdout.write
        if report.fatal:
            return
        summary = str(_(
            "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(published)s published; "
            "%(with_errors)s with errors from the validator; %(invalid)s invalid rows."
        ) % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged,
             "published": report.published, "with_errors": report.with_errors, "invalid": report.invalid})
        write(self.style.MIGRATE_HEADING(str(_("Summary: %(summary)s") % {"summary": summary})))
        if report.dry_run and report.ok:
            write(self.style.WARNING(str(_("Dry run: nothing was saved."))))
        elif report.written and report.invalid:
            write(self.style.WARNING(str(_("Imported the valid rows; the %(n)s invalid rows were skipped.")
                                         % {"n": report.invalid})))
        elif report.written:
            write(self.style.SUCCESS(str(_("Imported."))))

    def _print_row(self, row: RowResult) -> None:
        write = self.stdout.write
        where = str(_("line %(line)s") % {"line": row.line})
        code = row.code or "—"
        if row.status == RowStatus.INVALID:
            write(self.style.ERROR(f"{where}  {code}  {STATUS_LABELS[row.status]}"))
            for error in row.errors:
                write(f"    {error}")
            return
        errors = sum(1 for finding in row.findings if finding.is_error)
        warnings = len(row.findings) - errors
        state_label = str(VersionState(row.state).label).lower() if row.state in VersionState.values else row.state
        state = str(_("version %(number)s, %(state)s") % {"number": row.version_number, "state": state_label})
        counts = str(_("%(errors)s errors, %(warnings)s warnings") % {"errors": errors, "warnings": warnings})
        published = "  " + str(_("published")) if row.published else ""
        style = self.style.WARNING if errors else self.style.SUCCESS
        write(style(f"{where}  {code}  {STATUS_LABELS[row.status]} ({state}){published}  {counts}"))
        for finding in row.findings:
            label = _("error") if finding.is_error else _("warning")
            write(f"    {label}: {finding.text()} [{finding.code}, {finding.field}]")
        for note in row.notes:
            write("    {}: {}".format(_("note"), note))


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    """The file line by line, so a large export is never read into memory at once."""
    yield from stream


def _domain_error_text(error: DomainError) -> str:
    text = str(error.message)
    if isinstance(error.details, dict):
        details = "; ".join(f"{name}: {' '.join(map(str, problems))}" for name, problems in error.details.items())
        text = f"{text} {details}"
    return text
