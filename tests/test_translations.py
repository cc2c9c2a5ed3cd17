"""Every user-facing string is in a catalogue and translated into Finnish and Swedish.

The catalogues are each app's `src/osaamo/<app>/locale/` and the project's `src/osaamo/locale/` (the strings
of the files directly in src/osaamo: errors, translation, settings). For each of them and for fi and sv:

* every entry is translated, nothing is fuzzy (the header neither), and a translation has the same
  placeholders as its msgid (`%(name)s`, `%s`, `%%`, and `{name}` in brace-format strings), so formatting
  can neither fail nor drop a value;
* the committed .mo holds exactly the .po's translations, i.e. what `compilemessages` makes of it;
* running `makemessages` would add no msgid (no string is left out) and drop none (no stale entry). This
  extracts each app in a copy of its directory, the project's strings from copies of the top-level files,
  exactly as `cd src/osaamo/<app> && osaamo makemessages -l fi -l sv --no-obsolete` would, and an app with
  translatable strings but no catalogue fails. It needs GNU gettext (xgettext, msguniq, msgmerge), as
  makemessages does; it takes a few seconds per app.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command

SOURCE = Path(__file__).resolve().parent.parent / "src" / "osaamo"
LANGUAGES = ("fi", "sv")
PROJECT = "(project)"
EXTRACTED_SUFFIXES = {".py", ".html", ".txt"}  # what makemessages reads for the django domain


def _apps() -> list[str]:
    """The Django apps in the source tree: each keeps (or must keep) its own catalogue."""
    return sorted(path.parent.name for path in SOURCE.glob("*/apps.py"))


def _locale_dir(catalogue: str) -> Path:
    return SOURCE / "locale" if catalogue == PROJECT else SOURCE / catalogue / "locale"


def _catalogues() -> list[str]:
    return [PROJECT, *(app for app in _apps() if (SOURCE / app / "locale").is_dir())]


CATALOGUE_FILES = [(catalogue, language) for catalogue in _catalogues() for language in LANGUAGES]


# --- reading .po files ------------------------------------------------------------------------------------

@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        assert self.msgid is not None
        return self.msgctxt, self.msgid

    def __str__(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt else ""
        return f"line {self.line}: {self.msgid!r}{context}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (the header is the entry whose msgid is empty)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current, target
        if current is not None and current.msgid is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):
                continue  # the previous msgid of an obsolete entry
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                finish()
            if line.startswith("#,"):
                current = current or Entry(line=number)
                current.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}: a string continues nothing"
            text = ast.literal_eval(line)
            name, position = target
            if name == "msgstr":
                current.msgstr[position] += text
            else:
                setattr(current, name, getattr(current, name) + text)
            continue
        match = _KEYWORD.match(line)
        assert match, f"{path}:{number}: cannot read {raw!r}"
        keyword, plural_index, quoted = match.group(1), match.group(2), match.group(3)
        text = ast.literal_eval(quoted)
        if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
            finish()
        current = current or Entry(line=number)
        current.obsolete = current.obsolete or obsolete
        if keyword.startswith("msgstr"):
            position = int(plural_index) if plural_index is not None else 0
            current.msgstr[position] = text
            target = ("msgstr", position)
        else:
            setattr(current, keyword, text)
            target = (keyword, 0)
            if keyword == "msgid":
                current.line = number
    finish()
    return entries


def _po_path(catalogue: str, language: str) -> Path:
    return _locale_dir(catalogue) / language / "LC_MESSAGES" / "django.po"


def _messages(catalogue: str, language: str) -> list[Entry]:
    return [entry for entry in read_po(_po_path(catalogue, language)) if not entry.obsolete and entry.msgid]


def _header(catalogue: str, language: str) -> Entry:
    return next(entry for entry in read_po(_po_path(catalogue, language)) if entry.msgid == "")


# --- placeholders ---------------------------------------------------------------------------------------

_PERCENT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[diouxXeEfFgGcrsa%])")
_BRACE = re.compile(r"(?<!\{)\{(?P<field>[^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


def placeholders(text: str, entry: Entry) -> Counter[str]:
    found: Counter[str] = Counter()
    if "python-format" in entry.flags:
        found.update(match.group(0) for match in _PERCENT.finditer(text))
    if "python-brace-format" in entry.flags:
        found.update("{" + match.group("field") + "}" for match in _BRACE.finditer(text))
    return found


# --- fi and sv are complete ---------------------------------------------------------------------------

@pytest.mark.parametrize(("catalogue", "language"), CATALOGUE_FILES)
def test_the_catalogue_is_complete_and_not_fuzzy(catalogue: str, language: str) -> None:
    header = _header(catalogue, language)
    assert "fuzzy" not in header.flags, f"{_po_path(catalogue, language)}: the header is marked fuzzy"
    metadata = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert metadata.get("Language") == language
    assert metadata.get("Plural-Forms", "").startswith("nplurals=2;")

    problems = []
    for entry in _messages(catalogue, language):
        forms = 2 if entry.msgid_plural is not None else 1
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry}")
        if any(not entry.msgstr.get(index, "").strip() for index in range(forms)):
            problems.append(f"not translated: {entry}")
    assert not problems, f"{_po_path(catalogue, language)}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("catalogue", "language"), CATALOGUE_FILES)
def test_a_translation_has_the_placeholders_of_its_msgid(catalogue: str, language: str) -> None:
    problems = []
    for entry in _messages(catalogue, language):
        assert entry.msgid is not None
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        for index, source in enumerate(sources):
            translation = entry.msgstr.get(index, "")
            if not translation:
                continue  # reported by the completeness test
            expected, actual = placeholders(source, entry), placeholders(translation, entry)
            if expected != actual:
                problems.append(f"{entry}: {translation!r} has {sorted(actual.elements())}, "
                                f"the msgid {sorted(expected.elements())}")
    assert not problems, f"{_po_path(catalogue, language)}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("catalogue", "language"), CATALOGUE_FILES)
def test_the_committed_mo_is_the_compiled_po(catalogue: str, language: str) -> None:
    po = _po_path(catalogue, language)
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{mo} is missing: run compilemessages and commit the .mo"
    expected: dict[object, str] = {}
    for entry in _messages(catalogue, language):
        if "fuzzy" in entry.flags:
            continue  # compilemessages leaves fuzzy entries out
        assert entry.msgid is not None
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            if entry.msgstr.get(0):
                expected[key] = entry.msgstr[0]
        elif all(entry.msgstr.get(index) for index in range(2)):
            expected.update({(key, index): text for index, text in entry.msgstr.items()})
    with mo.open("rb") as stream:
        compiled = dict(gettext.GNUTranslations(stream)._catalog)  # type: ignore[attr-defined]
    compiled.pop("", None)  # the header
    stale = sorted(str(key) for key in expected.keys() - compiled.keys())
    extra = sorted(str(key) for key in compiled.keys() - expected.keys())
    changed = sorted(str(key) for key in expected.keys() & compiled.keys() if expected[key] != compiled[key])
    assert not (stale or extra or changed), (
        f"{mo} is not the compiled {po.name}: run compilemessages and commit the .mo.\n"
        f"missing from the .mo: {stale[:10]}\nnot in the .po: {extra[:10]}\ntranslated differently: {changed[:10]}")


# --- nothing is left out ------------------------------------------------------------------------------------

_EXTRACTED: dict[str, set[tuple[str | None, str]]] = {}


def _extract(catalogue: str, work: Path) -> set[tuple[str | None, str]]:
    """The msgids makemessages finds for a catalogue, from a copy of its sources (the tree is not touched)."""
    if catalogue not in _EXTRACTED:
        if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
            pytest.skip("GNU gettext (xgettext, msgmerge) is not installed; makemessages needs it")
        copy = work / "sources"
        if catalogue == PROJECT:
            copy.mkdir()
            for path in SOURCE.iterdir():
                if path.is_file() and path.suffix in EXTRACTED_SUFFIXES:
                    shutil.copy2(path, copy / path.name)
        else:
            shutil.copytree(SOURCE / catalogue, copy,
                            ignore=shutil.ignore_patterns("locale", "var", "__pycache__", "*.pyc"))
        (copy / "locale").mkdir()
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(copy)
            call_command("makemessages", locale=["fi"], no_obsolete=True, verbosity=0)
        po = copy / "locale" / "fi" / "LC_MESSAGES" / "django.po"
        found = {entry.key for entry in read_po(po) if entry.msgid and not entry.obsolete} if po.exists() else set()
        _EXTRACTED[catalogue] = found
    return _EXTRACTED[catalogue]


@pytest.mark.parametrize("catalogue", [PROJECT, *_apps()])
def test_makemessages_would_add_no_msgid(catalogue: str, tmp_path: Path) -> None:
    extracted = _extract(catalogue, tmp_path)
    where = _locale_dir(catalogue)
    if not extracted:
        return  # nothing to translate (e.g. an app without strings of its own)
    assert where.is_dir(), (
        f"{catalogue} has {len(extracted)} translatable strings but no catalogue: "
        f"cd src/osaamo/{catalogue} && osaamo makemessages -l fi -l sv --no-obsolete")
    for language in LANGUAGES:
        committed = {entry.key for entry in _messages(catalogue, language)}
        missing = sorted(extracted - committed, key=str)
        assert not missing, (
            f"{_po_path(catalogue, language)} lacks {len(missing)} strings of the code (run makemessages "
            f"--no-obsolete and translate them): " + "; ".join(repr(msgid) for _, msgid in missing[:15]))


@pytest.mark.parametrize("catalogue", _catalogues())
def test_the_catalogue_has_no_string_the_code_no_longer_uses(catalogue: str, tmp_path: Path) -> None:
    extracted = _extract(catalogue, tmp_path)
    for language in LANGUAGES:
        committed = {entry.key for entry in _messages(catalogue, language)}
        stale = sorted(committed - extracted, key=str)
        assert not stale, (
            f"{_po_path(catalogue, language)} has {len(stale)} strings that makemessages --no-obsolete would "
            f"drop: " + "; ".join(repr(msgid) for _, msgid in stale[:15]))
