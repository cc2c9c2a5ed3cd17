"""Cancelling an offering in the catalog: the `offering_cancelled` signal is sent once, inside the
cancellation's transaction and after the state change, so the apps that depend on the catalog release
their part with it; cancelling twice or after the end is refused; the catalog imports none of those apps."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from osaamo.audit.models import AuditEntry
from osaamo.catalog.models import Offering, OfferingState
from osaamo.catalog.services import offering_cancel, offering_settle, offering_update
from osaamo.catalog.signals import offering_cancelled
from osaamo.errors import Conflict

CATALOG = Path(__file__).resolve().parents[2] / "src" / "osaamo" / "catalog"
DEPENDENT_APPS = ("osaamo.enrolment", "osaamo.demand", "osaamo.credentials", "osaamo.assessment",
                  "osaamo.pathways", "osaamo.feedback")


@pytest.fixture
def heard() -> Any:
    """What `offering_cancelled` receivers see, as the test's own receiver records it."""
    calls: list[dict[str, Any]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        calls.append({
            **kwargs, "sender": sender, "in_transaction": connection.in_atomic_block,
            "state_in_database": Offering.objects.get(pk=kwargs["offering"].pk).state,
            "audited": AuditEntry.objects.filter(action="offering.cancelled",
                                                 target_id=str(kwargs["offering"].pk)).exists(),
        })

    offering_cancelled.connect(listener, dispatch_uid="test.catalog_listener")
    yield calls
    offering_cancelled.disconnect(dispatch_uid="test.catalog_listener")


def test_the_signal_is_sent_once_inside_the_transaction_after_the_state_change(
        published: Any, helsinki_admin: Any, heard: list[dict[str, Any]]) -> None:
    offering = published.offerings.get()
    now = timezone.now()
    offering_cancel(offering=offering, by=helsinki_admin, reason="  Too few teachers.  ", now=now)
    (call,) = heard
    assert call["sender"] is Offering and call["offering"].pk == offering.pk
    assert (call["by"], call["reason"], call["now"]) == (helsinki_admin, "Too few teachers.", now)
    assert call["in_transaction"] and call["state_in_database"] == OfferingState.CANCELLED and call["audited"]


def test_cancelling_twice_is_refused_and_sends_nothing_again(published: Any, helsinki_admin: Any,
                                                             heard: list[dict[str, Any]]) -> None:
    offering = published.offerings.get()
    offering_cancel(offering=offering, by=helsinki_admin)
    with pytest.raises(Conflict) as refused:
        offering_cancel(offering=offering, by=helsinki_admin)
    assert refused.value.code == "offering_cancelled"
    assert str(refused.value.message) == "This offering has already been cancelled."
    assert len(heard) == 1 and AuditEntry.objects.filter(action="offering.cancelled").count() == 1


def test_an_offering_that_has_ended_is_not_cancelled(published: Any, helsinki_admin: Any,
                                                     heard: list[dict[str, Any]]) -> None:
    offering = published.offerings.get()
    after_the_end = timezone.now() + timedelta(days=(offering.end_date - timezone.localdate()).days + 1)
    with pytest.raises(Conflict) as refused:
        offering_cancel(offering=offering, by=helsinki_admin, now=after_the_end)
    assert refused.value.code == "offering_ended"
    assert Offering.objects.get(pk=offering.pk).state == OfferingState.SCHEDULED and heard == []


def test_a_receiver_that_fails_undoes_the_cancellation(published: Any, helsinki_admin: Any) -> None:
    offering = published.offerings.get()

    def failing(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("a dependent app could not release its part")

    offering_cancelled.connect(failing, dispatch_uid="test.catalog_failing")
    try:
        with pytest.raises(RuntimeError):
            offering_cancel(offering=offering, by=helsinki_admin, reason="x")
    finally:
        offering_cancelled.disconnect(dispatch_uid="test.catalog_failing")
    assert Offering.objects.get(pk=offering.pk).state == OfferingState.SCHEDULED
    assert not AuditEntry.objects.filter(action="offering.cancelled").exists()


def test_the_platforms_pooling_decision_sends_no_signal(published: Any, helsinki_admin: Any,
                                                        heard: list[dict[str, Any]]) -> None:
    offering = published.offerings.get()
    offering_update(offering=offering, by=helsinki_admin, data={
        "decision_date": (timezone.localdate() + timedelta(days=5)).isoformat()})
    offering_settle(offering=offering, confirmed=False)
    assert Offering.objects.get(pk=offering.pk).state == OfferingState.CANCELLED and heard == []


def test_the_catalog_imports_none_of_the_apps_that_depend_on_it() -> None:
    offenders = []
    for path in CATALOG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(CATALOG)}: {name}" for name in names
                          if name.startswith(DEPENDENT_APPS)]
    assert offenders == []


def test_the_design_tool_offers_to_cancel_only_an_offering_that_has_not_ended(
        client: Any, published: Any, helsinki_admin: Any) -> None:
    offering = published.offerings.get()
    client.force_login(helsinki_admin)
    page = reverse("design:detail", args=["helsinki", published.micro_credential.pk])
    cancel = reverse("design:offering_cancel", args=["helsinki", offering.pk])
    assert cancel in client.get(page).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=(offering.end_date - timezone.localdate()).days + 2)):
        assert cancel not in client.get(page).content.decode()
