"""Reading a results file (CSV) into rows, with a clear message for every file that cannot be read.

What a registrar's spreadsheet or study information system produces varies: UTF-8 with or without a
byte-order mark, commas, semicolons (Finnish and Swedish Excel) or tabs between the columns, column
names in Finnish, Swedish or English. The file-level problems — empty, too large, not UTF-8, a
workbook instead of CSV, columns that cannot be told apart or are missing — refuse the whole file;
problems of single rows are left to `validation.check_rows`, which reports them row by row.

Exports go through `safe_cell`, so no cell of a file we hand out runs as a spreadsheet formula
(CSV injection, OWASP).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from osaamo.errors import InvalidInput

MAX_FILE_BYTES = 10 * 1024 * 1024  # 10 MB: ten times what a 20,000-learner file takes
MAX_ROWS = 20_000
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": _("comma"), ";": _("semicolon"), "\t": _("tab")}

# Column → the names it may have in the first row (compared in lower case, spaces and "-" as "_").
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e_mail", "email_address", "learner_email", "sähköposti", "sähköpostiosoite", "sahkoposti",
              "e_post", "epost", "e_postadress"),
    "grade": ("grade", "arvosana", "vitsord", "betyg", "result", "tulos"),
    "assessed_on": ("assessed_on", "date", "assessment_date", "päivämäärä", "paivamaara", "arviointipäivä",
                    "arviointipäivämäärä", "suorituspäivä", "datum", "bedömningsdatum", "prestationsdatum"),
    "identity_verification": ("identity_verification", "henkilöllisyyden_varmistus", "identitetskontroll",
                              "identitetsverifiering"),
    "assessor": ("assessor", "arvioija", "bedömare", "examiner", "teacher", "opettaja", "lärare"),
    "note": ("note", "notes", "huomautus", "lisätieto", "lisätiedot", "anteckning", "comment", "kommentti"),
}
REQUIRED_COLUMNS = ("email", "grade", "assessed_on")
TEMPLATE_HEADER = ("email", "grade", "assessed_on", "identity_verification", "assessor", "note")
_ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
ZIP_SIGNATURE = b"PK\x03\x04"  # .xlsx and .ods workbooks are zip files
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # the old .xls workbook

SAVE_AS_HELP = _(
    "In Excel choose File › Save as › “CSV UTF-8 (comma delimited)”; in LibreOffice choose “Text CSV” "
    "with the character set “Unicode (UTF-8)”."
)


class CsvRefused(InvalidInput):
    """The whole file was refused: nothing was read from it and nothing changed."""

    default_code = "csv_refused"


@dataclass
class CsvFile:
    """A results file read into its rows: `rows` are (line number, {column: text}) in file order."""

    delimiter: str
    columns: list[str]
    ignored_columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    row_problems: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


def column_of(name: str) -> str | None:
    key = "_".join(name.strip().strip("\ufeff").lower().replace("-", " ").split())
    return _ALIASES.get(key)


def _refuse(message: Any, code: str) -> CsvRefused:
    return CsvRefused(message, code=code, details={"file": [message]})


def _decode(data: bytes) -> str:
    if not data.strip():
        raise _refuse(_("The file is empty."), "csv_empty")
    if data.startswith(UTF32_BOMS) or data.startswith(UTF16_BOMS):
        raise _refuse(_("The file is saved as UTF-16 (“Unicode text”), not as UTF-8. %(help)s") % {
            "help": SAVE_AS_HELP}, "csv_encoding")
    if data.startswith(ZIP_SIGNATURE) or data.startswith(OLE_SIGNATURE):
        raise _refuse(_("This is a spreadsheet workbook, not a CSV file. %(help)s") % {"help": SAVE_AS_HELP},
                      "csv_not_text")
    if b"\x00" in data:
        raise _refuse(_("This is not a text file. Upload the results as a CSV file. %(help)s") % {
            "help": SAVE_AS_HELP}, "csv_not_text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _refuse(_(
            "The file is not in UTF-8: line %(line)s has a character that UTF-8 does not have (a letter such as "
            "ä or ö saved in another character set, such as Windows-1252). Nothing was read. %(help)s"
        ) % {"line": line, "help": SAVE_AS_HELP}, "csv_encoding") from None


def _header_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def _choose_delimiter(header: str) -> tuple[str, list[str]]:
    """The delimiter under which the first row names the most known columns."""
    best: tuple[int, str, list[str]] = (-1, ",", [header])
    for delimiter in DELIMITERS:
        names = next(csv.reader([header], delimiter=delimiter), [])
        known = sum(1 for name in names if column_of(name))
        if known > best[0]:
            best = (known, delimiter, names)
    return best[1], best[2]


def read_results_csv(data: bytes) -> CsvFile:
    """Read a results file; raises `CsvRefused` with a message for the user when the file as a whole cannot be read."""
    if len(data) > MAX_FILE_BYTES:
        raise too_large(len(data))
    text = _decode(data)
    header = _header_line(text)
    if not header.strip():
        raise _refuse(_("The file is empty."), "csv_empty")
    delimiter, names = _choose_delimiter(header)
    known = [column_of(name) for name in names]
    if sum(1 for column in known if column) == 0 and len(names) == 1:
        raise _refuse(_(
            "The columns could not be told apart. The first row is “%(header)s”: separate the columns with "
            "commas, semicolons or tabs, and name them in the first row: %(columns)s."
        ) % {"header": header[:120], "columns": ", ".join(TEMPLATE_HEADER)}, "csv_delimiter")
    present = [column for column in known if column]
    duplicates = sorted({column for column in present if present.count(column) > 1})
    if duplicates:
        raise _refuse(_("The column %(column)s appears more than once in the first row.") % {
            "column": duplicates[0]}, "csv_columns")
    missing = [column for column in REQUIRED_COLUMNS if column not in present]
    if missing:
        raise _refuse(ngettext_lazy(
            "The column %(missing)s is missing. The first row must name the columns %(required)s (and may name "
            "%(optional)s); it names: %(found)s.",
            "The columns %(missing)s are missing. The first row must name the columns %(required)s (and may name "
            "%(optional)s); it names: %(found)s.",
            len(missing),
        ) % {"missing": ", ".join(missing), "required": ", ".join(REQUIRED_COLUMNS),
             "optional": ", ".join(c for c in TEMPLATE_HEADER if c not in REQUIRED_COLUMNS),
             "found": ", ".join(name.strip() for name in names if name.strip()) or "–"}, "csv_columns")
    result = CsvFile(delimiter=delimiter, columns=[c for c in known if c],
                     ignored_columns=[name.strip() for name, column in zip(names, known, strict=True)
                                      if not column and name.strip()])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        next(reader)  # the header (blank lines before it are skipped by csv too)
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(result.rows) >= MAX_ROWS:
                raise _refuse(_("The file has more than %(max)s rows; split it into smaller files.") % {
                    "max": f"{MAX_ROWS:,}".replace(",", "\u00a0")}, "csv_too_many_rows")
            row = {column: values[i].strip() if i < len(values) else "" for i, column in enumerate(known) if column}
            if len(values) > len(names) and any(value.strip() for value in values[len(names):]):
                result.row_problems.setdefault(line, []).append({"code": "extra_values", "params": {
                    "found": len(values), "expected": len(names)}})
            result.rows.append((line, row))
    except csv.Error as error:
        raise _refuse(_("The row that starts on line %(line)s cannot be read (%(error)s); check its quotation "
                        "marks.") % {"line": start, "error": str(error)}, "csv_quoting") from None
    if not result.rows:
        raise _refuse(_("The file has the column names but no rows of results."), "csv_empty")
    return result


def too_large(size: int) -> CsvRefused:
    megabytes = size / (1024 * 1024)
    return _refuse(_(
        "The file is too large (%(size)s MB); the limit is %(limit)s MB. Nothing was read. Split the results "
        "into smaller files."
    ) % {"size": f"{megabytes:.1f}", "limit": MAX_FILE_BYTES // (1024 * 1024)}, "csv_too_large")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value for a CSV file we hand out: text that a spreadsheet would run as a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: Any, header: Any) -> str:
    """CSV text (UTF-8 with a byte-order mark added by the caller) with formula-safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()
