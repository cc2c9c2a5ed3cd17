"""The comparison on catalog pages: `{% compare_tray %}` and `{% compare_button version %}`.

`{% load compare_tags %}` in a template that has `request` in its context (every page does).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from osaamo.catalog.compare import MAX_COMPARED, compare_name, tray_names, tray_versions

register = template.Library()


@register.inclusion_tag("catalog/compare_tray.html", takes_context=True)
def compare_tray(context: Any) -> dict[str, Any]:
    """The visitor's selection with a link to compare it; nothing when it is empty (one query at most)."""
    from osaamo.catalog.compare_views import compare_url

    request = context.get("request")
    versions = tray_versions(request.session) if request is not None and tray_names(request.session) else []
    return {
        "request": request,
        "tray": [(version, compare_name(version)) for version in versions],
        "compare_url": compare_url([compare_name(version) for version in versions]),
        "max_compared": MAX_COMPARED,
        "is_full": len(versions) >= MAX_COMPARED,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("catalog/compare_button.html", takes_context=True)
def compare_button(context: Any, version: Any, form_id: str = "") -> dict[str, Any]:
    """Add `version` to the comparison, or remove it when it is there.

    Inside another form (the catalog list is one GET form) give `form_id`, the id of an empty POST
    form elsewhere on the page (`{% compare_form %}`): the button submits that one. Without it the
    button comes in a form of its own.
    """
    request = context.get("request")
    name = compare_name(version)
    chosen = tray_names(request.session) if request is not None else []
    return {
        "version": version,
        "name": name,
        "in_tray": name in chosen,
        "is_full": len(chosen) >= MAX_COMPARED,
        "form_id": form_id,
        "next": request.get_full_path() if request is not None else "",
        "add_url": reverse("catalog:compare_add"),
        "remove_url": reverse("catalog:compare_remove"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("catalog/compare_form.html", takes_context=True)
def compare_form(context: Any, form_id: str = "compare-form") -> dict[str, Any]:
    """An empty POST form that the compare buttons inside another form submit (HTML `form` attribute)."""
    return {"form_id": form_id, "add_url": reverse("catalog:compare_add"), "csrf_token": context.get("csrf_token")}
