"""The typed JSON API, /api/v1 — assembles each app's ninja router."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Osaamo API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
)
