"""Catalog search: fi/sv/en text analysis, one index on PostgreSQL and SQLite, ranking, facets.

Public interface (import from the submodules, which load Django models):

- `osaamo.catalog.search.engine`: `SearchQuery`, `SearchResults`, `Hit`, `Sort`, `search()`,
  `search_queryset()`
- `osaamo.catalog.search.indexing`: `index_micro_credential()`, `reindex_all()`

This package's `__init__` imports nothing, because `catalog/models.py` imports `search.models`.
"""
