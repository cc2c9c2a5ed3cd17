"""The universities page and a university's public profile."""

from __future__ import annotations

import re
from typing import Any

from osaamo.accounts.services import organisation_create
from tests.catalog.test_public_fixtures import catalog, codes, url

__all__ = ["catalog"]


def test_universities_are_listed_with_their_published_counts(client: Any, catalog: Any, employer: Any) -> None:
    response = client.get(url("catalog:providers"))
    assert response.status_code == 200
    html = response.content.decode()
    counts = {p.slug: p.published_count for p in response.context["providers"]}
    # helsinki: A, C, E and the joint B; aalto: B and D. Drafts, reviews and retired ones do not count.
    assert counts == {"aalto": 2, "helsinki": 4}
    assert f'href="{url("catalog:provider", slug="helsinki")}"' in html
    assert "4 micro-credentials" in html and "2 micro-credentials" in html
    assert "Konepaja" not in html  # an employer is not a university


def test_a_university_page_shows_its_own_and_joint_micro_credentials(client: Any, catalog: Any,
                                                                      helsinki: Any) -> None:
    helsinki.description = {"en": "A university in Helsinki.", "fi": "Yliopisto Helsingissä."}
    helsinki.homepage = "https://www.helsinki.fi/"
    helsinki.save()
    response = client.get(url("catalog:provider", slug="helsinki"))
    assert response.status_code == 200
    html = response.content.decode()
    assert codes(response) == {"A", "B", "C", "E"}
    assert "A university in Helsinki." in html
    assert 'href="https://www.helsinki.fi/"' in html
    assert "Finland" in html
    for hidden in ("Hidden topic", "Old title hidden", "Unpublished hidden change"):
        assert hidden not in html
    assert f'href="{url("catalog:list")}?provider=helsinki"' in html


def test_a_university_with_nothing_published_says_so(client: Any, aalto: Any) -> None:
    html = client.get(url("catalog:provider", slug="aalto")).content.decode()
    assert "no published micro-credentials at the moment" in html


def test_only_active_universities_have_a_public_page(client: Any, employer: Any, operator_org: Any) -> None:
    organisation_create(kind="provider", slug="closed", name={"en": "Closed University"}, is_active=False)
    for slug in ("konepaja", "operator", "closed", "nobody"):
        assert client.get(url("catalog:provider", slug=slug)).status_code == 404
    assert "Closed University" not in client.get(url("catalog:providers")).content.decode()


def test_a_name_missing_in_the_readers_language_is_marked(client: Any, db: Any) -> None:
    organisation_create(kind="provider", slug="lappi", name={"fi": "Lapin yliopisto"})
    html = client.get(url("catalog:provider", "sv", slug="lappi")).content.decode()
    assert re.search(r'<h1 lang="fi">Lapin yliopisto</h1>', html)


def test_universities_page_queries_are_bounded(client: Any, catalog: Any, django_assert_max_num_queries: Any
                                               ) -> None:
    with django_assert_max_num_queries(3):
        client.get(url("catalog:providers"))
    with django_assert_max_num_queries(9):  # with the search snapshot's first read (its vocabulary too)
        client.get(url("catalog:provider", slug="helsinki"))
