"""Shared helpers of the design-tool tests: form data in the page's shape, findings read from the HTML."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.urls import reverse

from osaamo.catalog.models import MicroCredentialVersion
from osaamo.catalog.services import micro_credential_create
from tests.factories import design_data

TEXT_FIELDS = ("title", "description", "target_group", "prerequisites", "further_information",
               "assessment_description", "quality_assurance_description", "stackability_description")
PASSWORD = "correct horse battery staple"


def form_data(design: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A design (in the services' shape, e.g. tests.factories.design_data()) as the edit page posts it."""
    design = design_data() if design is None else design
    data: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        for language in ("fi", "sv", "en"):
            data[f"{name}_{language}"] = (design.get(name) or {}).get(language, "")
    for name in ("ects", "hours", "eqf_level", "assessment_type", "grading_scale", "participation_form",
                 "quality_assurance", "identity_verification", "stackability", "qf_ehea_cycle", "isced_f"):
        value = design.get(name)
        data[name] = "" if value is None else str(value)
    data["languages"] = list(design.get("languages") or [])
    data["co_providers"] = list(design.get("co_providers") or [])
    outcomes = design.get("learning_outcomes") or []
    data["outcomes-TOTAL_FORMS"] = str(len(outcomes))
    data["outcomes-INITIAL_FORMS"] = str(len(outcomes))
    for index, outcome in enumerate(outcomes):
        for language in ("fi", "sv", "en"):
            data[f"outcomes-{index}-text_{language}"] = outcome["text"].get(language, "")
        data[f"outcomes-{index}-skills"] = list(outcome.get("skills") or [])
    data.update(extra)
    return data


def design_url(name: str, provider: Any, *args: Any, language: str = "en") -> str:
    from django.utils import translation

    with translation.override(language):
        return reverse(f"design:{name}", args=[provider.slug, *args])


def login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def make_draft(provider: Any, by: Any, code: str = "HY-DRAFT-1", **changes: Any) -> MicroCredentialVersion:
    return micro_credential_create(provider=provider, by=by, code=code, data=design_data(**changes))


class _FindingParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.findings: list[dict[str, Any]] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "li" and "finding" in (values.get("class") or "").split() and values.get("data-code"):
            classes = (values.get("class") or "").split()
            self.findings.append({"code": values["data-code"], "severity": "error" if "error" in classes else
                                  "warning", "anchor": "", "text": ""})
            self._depth = 1
        elif self._depth:
            if tag == "li":
                self._depth += 1
            if tag == "a" and not self.findings[-1]["anchor"]:
                self.findings[-1]["anchor"] = (values.get("href") or "").lstrip("#")

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag == "li":
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.findings[-1]["text"] += data


def findings_in(response: Any) -> list[dict[str, Any]]:
    """The findings the panel shows: code, severity, the input it links to, and its text."""
    parser = _FindingParser()
    parser.feed(response.content.decode())
    for finding in parser.findings:
        finding["text"] = " ".join(finding["text"].split())
    return parser.findings


def codes_in(response: Any) -> set[str]:
    return {finding["code"] for finding in findings_in(response)}
