"""The browser-test harness itself: axe-core catches what it must, reference data survives the flush."""

from __future__ import annotations

from typing import Any

import pytest

from osaamo.framework.isced import isced_entries
from osaamo.framework.models import EscoSkill, IscedField
from osaamo.framework.reference import packaged_esco_rows
from tests.e2e.accessibility import axe_violations

BROKEN_PAGE = """<!doctype html><html><head><title>x</title></head><body><main>
<h1>Broken</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#bbb;background:#fff">Pale text that nobody can read</p>
<input type="text" name="unlabelled">
</main></body></html>"""


def test_axe_reports_serious_violations_readably(page: Any, assert_accessible: Any) -> None:
    page.set_content(BROKEN_PAGE)
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "color-contrast", "label", "html-has-lang"} <= found
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "the broken page")
    message = str(failure.value)
    assert "on the broken page" in message
    assert "[critical] image-alt" in message and "[serious] color-contrast" in message
    assert "https://dequeuniversity.com/rules/axe/" in message
    assert "at img" in message  # where to look


def test_axe_passes_a_clean_page(page: Any, assert_accessible: Any) -> None:
    page.set_content('<!doctype html><html lang="en"><head><title>Fine</title></head>'
                     '<body><main><h1>Fine</h1><p>Readable.</p></main></body></html>')
    assert_accessible(page, "a clean page")


def test_a_browser_test_runs_on_a_database_that_is_flushed_afterwards(live_server: Any) -> None:
    # This test's database is flushed when it ends (live_server is transactional); the next test
    # checks that the reference data is back.
    assert IscedField.objects.count() == len(isced_entries())


@pytest.mark.django_db(transaction=True)
def test_reference_data_is_back_after_a_browser_test() -> None:
    assert IscedField.objects.count() == len(isced_entries())
    assert EscoSkill.objects.count() == sum(1 for _ in packaged_esco_rows())
