"""The learner's wallet: their own credentials only, downloads, PDF, share links, LinkedIn, export."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from osaamo.credentials import verification
from osaamo.credentials.models import ShareLink, ShareView
from tests.credentials.conftest import login


def test_the_wallet_lists_the_learners_credentials_with_their_state(issued: Any, completed: Any) -> None:
    page = login(completed.learner).get("/en/wallet/").content.decode()
    assert "Tietosuoja käytännön työssä" in page or "Data protection in practice" in page
    assert "Valid" in page


def test_another_user_never_sees_them(issued: Any, learner: Any) -> None:
    other = login(learner)
    for path in ("", "credential.json", "certificate.pdf"):
        assert other.get(f"/en/wallet/{issued.uuid}/{path}").status_code == 404
    assert other.post(f"/en/wallet/{issued.uuid}/share/", {"expires_on": "2030-01-01"}).status_code == 404
    assert other.get("/en/wallet/not-a-uuid/").status_code == 404
    assert "Data protection" not in other.get("/en/wallet/").content.decode()
    assert Client().get(f"/en/wallet/{issued.uuid}/").status_code == 302  # to sign in


def test_the_json_download_is_the_signed_credential_in_the_chosen_language(issued: Any, completed: Any) -> None:
    client = login(completed.learner)
    response = client.get(f"/en/wallet/{issued.uuid}/credential.json?language=sv")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["credentialSubject"]["achievement"]["inLanguage"] == "sv"
    assert response.content.decode() == issued.documents.get(language="sv").signed_json
    assert verification.verify_credential(response.content).status == "valid"


def test_the_pdf_certificate_has_every_eu_element_in_the_chosen_language(issued: Any, completed: Any) -> None:
    response = login(completed.learner).get(f"/en/wallet/{issued.uuid}/certificate.pdf?language=fi")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "Tietosuoja käytännön työssä",  # title
        "Olli Oppija",  # learner
        "Helsingin yliopisto",  # awarding body
        "Suomi",  # country of the issuer
        "analysoida henkilötietojen käsittelyn riskejä",  # learning outcome
        "5 opintopistettä",  # workload
        "EQF-taso 6",  # level
        "Projektityö",  # type of assessment
        "Verkko-opetus",  # form of participation
        "Karvi",  # quality assurance
        "Arvosana",  # grade
        "/fi/verify/c/",  # the verification address of the QR code
    ):
        assert expected in text, expected


def test_a_share_link_shows_the_verified_credential_and_counts_views(issued: Any, completed: Any) -> None:
    client = login(completed.learner)
    until = timezone.localdate() + timedelta(days=30)
    response = client.post(f"/en/wallet/{issued.uuid}/share/",
                           {"expires_on": until.isoformat(), "label": "Employer X", "language": "en"}, follow=True)
    link = ShareLink.objects.get()
    assert f"/en/share/{link.token}/" in response.content.decode()
    visitor = Client()
    page = visitor.get(f"/en/share/{link.token}/")
    assert page.status_code == 200
    assert "Valid" in page.content.decode() and "Data protection in practice" in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex"
    download = visitor.get(f"/en/share/{link.token}/credential.json")
    assert verification.verify_credential(download.content).status == "valid"
    link.refresh_from_db()
    assert link.view_count == 2
    assert list(ShareView.objects.values_list("what", flat=True).order_by("id")) == ["page", "json"]
    client.post(f"/en/wallet/{issued.uuid}/share/{link.pk}/withdraw/")
    assert visitor.get(f"/en/share/{link.token}/").status_code == 404


def test_a_share_link_lasts_at_most_a_year_and_expires(issued: Any, completed: Any) -> None:
    client = login(completed.learner)
    too_late = timezone.localdate() + timedelta(days=400)
    response = client.post(f"/en/wallet/{issued.uuid}/share/",
                           {"expires_on": too_late.isoformat(), "language": "en"}, follow=True)
    assert "at most one year" in response.content.decode()
    assert ShareLink.objects.count() == 0
    client.post(f"/en/wallet/{issued.uuid}/share/",
                {"expires_on": timezone.localdate().isoformat(), "language": "en"})
    link = ShareLink.objects.get()
    assert Client().get(f"/en/share/{link.token}/").status_code == 200
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(f"/en/share/{link.token}/").status_code == 404
    assert Client().get("/en/share/unknown-token/").status_code == 404


def test_the_add_to_linkedin_link(issued: Any, completed: Any) -> None:
    page = login(completed.learner).get(f"/en/wallet/{issued.uuid}/").content.decode()
    start = page.index("https://www.linkedin.com/profile/add?")
    url = page[start:page.index('"', start)].replace("&amp;", "&")
    query = parse_qs(urlsplit(url).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == ["Data protection in practice"]
    assert query["organizationName"] == ["University of Helsinki"]
    assert query["issueYear"] == [str(issued.issued_at.year)]
    assert query["issueMonth"] == [str(issued.issued_at.month)]
    assert query["certId"] == [str(issued.uuid)]
    assert Client().get(urlsplit(query["certUrl"][0]).path).status_code == 200


def test_the_whole_wallet_exports_as_one_zip_of_signed_credentials(issued: Any, completed: Any) -> None:
    response = login(completed.learner).get("/en/wallet/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert [c["uuid"] for c in manifest["credentials"]] == [str(issued.uuid)]
    files = manifest["credentials"][0]["files"]
    assert sorted(files) == ["en", "fi", "sv"]
    for name in files.values():
        assert verification.verify_credential(archive.read(name)).status == "valid"


def test_the_learner_sets_a_did_and_a_bad_one_is_refused(completed: Any) -> None:
    client = login(completed.learner)
    response = client.post("/en/wallet/identifier/", {"did": "did:key:nonsense"}, follow=True)
    assert "not a valid did:key" in response.content.decode()
    response = client.post("/en/wallet/identifier/",
                           {"did": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}, follow=True)
    assert "Your identifier was saved" in response.content.decode()


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_wallet_speaks_finnish_and_swedish(issued: Any, completed: Any, language: str) -> None:
    page = login(completed.learner).get(f"/{language}/wallet/{issued.uuid}/").content.decode()
    expected = {"fi": "Jaa", "sv": "Dela"}[language]
    assert f">{expected}<" in page
