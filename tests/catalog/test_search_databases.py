"""The same catalog and the same searches give the same results on PostgreSQL and on SQLite.

Each database is built in a child process (a new SQLite file, a new PostgreSQL database) from the
scenario of test_search.py through the real services; the children run the same searches and
the test compares everything they return: totals, hits in order with their scores, facet counts.
Run as a module (`python -m tests.catalog.test_search_databases OUT`) it is one such child.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_POSTGRES = "postgres://postgres@localhost:5432/postgres"
SEARCHES: list[dict[str, Any]] = [
    {"text": "geothermal"},
    {"text": "tietoturvaa"},
    {"text": "johtamisen osaaminen"},
    {"text": "kompetensen"},
    {"text": "networks"},
    {"text": "netwroks"},
    {"text": "tietotur"},
    {"text": "energ"},
    {"text": "edge computing"},
    {"text": "analyse"},
    {"text": "analyse", "mode": "online", "price": "free"},
    {"text": "analyse", "sort": "start"},
    {"text": "", "sort": "price"},
    {"text": "", "sort": "ects"},
    {"text": "", "sort": "newest"},
    {"text": "energy", "eqf_levels": [6]},
    {"text": "", "language": "sv", "mode": "online"},
    {"text": "", "provider": "helsinki"},
    {"text": '"*:()&|!'},
]


def _postgres_admin_url() -> str:
    url = os.environ.get("OSAAMO_TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = DEFAULT_POSTGRES
    return url.rsplit("/", 1)[0] + "/postgres"


def _child(url: str, out: Path, var: Path) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": url, "OSAAMO_VAR_DIR": str(var), "OSAAMO_LOG_LEVEL": "WARNING"}
    completed = subprocess.run(
        [sys.executable, "-m", "tests.catalog.test_search_databases", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    return json.loads(out.read_text())


@pytest.mark.postgres
def test_the_same_searches_give_the_same_results_on_postgresql_and_sqlite(tmp_path: Path) -> None:
    psycopg = pytest.importorskip("psycopg")
    admin = _postgres_admin_url()
    try:
        connection = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.skip(f"needs PostgreSQL ({admin}): {error}")
    name = f"osaamo_search_same_{uuid.uuid4().hex[:10]}"
    connection.execute(f'CREATE DATABASE "{name}"')
    try:
        on_postgres = _child(admin.rsplit("/", 1)[0] + f"/{name}", tmp_path / "postgres.json", tmp_path)
    finally:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.close()
    on_sqlite = _child(f"sqlite:///{tmp_path / 'same.sqlite3'}", tmp_path / "sqlite.json", tmp_path)

    assert on_postgres["vendor"] == "postgresql" and on_sqlite["vendor"] == "sqlite"
    assert len(on_sqlite["searches"]) == len(SEARCHES)
    assert sum(1 for found in on_sqlite["searches"] if found["hits"]) >= len(SEARCHES) - 2  # not all empty
    for search, postgres, sqlite in zip(SEARCHES, on_postgres["searches"], on_sqlite["searches"], strict=True):
        assert postgres == sqlite, search


def main(out: str) -> None:
    """One child: build the scenario on DATABASE_URL, run SEARCHES, write what they found to `out`."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osaamo.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import translation

    from osaamo.catalog.models import MicroCredentialVersion
    from osaamo.catalog.search.engine import SearchQuery, Sort, search
    from tests.catalog.test_search import make_library
    from tests.factories import make_provider, make_user

    call_command("migrate", verbosity=0, skip_checks=True)
    with translation.override("en"):
        helsinki = make_provider("helsinki", "Helsingin yliopisto", "Helsingfors universitet", "University of Helsinki")
        aalto = make_provider("aalto", "Aalto-yliopisto", "Aalto-universitetet", "Aalto University")
        make_library(
            helsinki, aalto,
            make_user("hanna.admin@helsinki.example", "Hanna Admin", helsinki, "provider_admin"),
            make_user("aino.admin@aalto.example", "Aino Admin", aalto, "provider_admin"),
        )
        codes = dict(MicroCredentialVersion.objects.values_list("pk", "micro_credential__code"))
        results = []
        for spec in SEARCHES:
            options = {**spec, "eqf_levels": tuple(spec.get("eqf_levels", ())), "sort": Sort(spec.get("sort", "relevance"))}
            found = search(SearchQuery(limit=100, **options))
            results.append({
                "total": found.total,
                "hits": [[codes[hit.version_id], hit.score] for hit in found.hits],
                "facets": found.facets,
                "corrections": {word: list(read) for word, read in found.parsed.corrections.items()},
            })
    Path(out).write_text(json.dumps({"vendor": connection.vendor, "searches": results}, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
