"""Keeping the book true by hand, on both databases: editing a customer, marking it lost or inactive,
making it active again, and its history (check-ins and changes in one list)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.operations.actor import Actor
from bot.operations.customer_status import (
    StatusChanged,
    StatusForm,
    StatusNotChanged,
    mark_inactive,
    reactivate,
    status_form,
)
from bot.operations.digest_controls import Refused
from bot.operations.edit_customer import CustomerEdit, Edited, EditForm, NotEdited, edit_customer, edit_form
from bot.operations.hand_over import hand_over
from bot.operations.history import ChangeEntry, history_page
from bot.rules.edits import WHY_LOST_REQUIRED
from bot.rules.nudges import due_reasons
from bot.rules.policy import Policy
from bot.rules.vocabulary import Inactive, Verdict
from bot.services import Services
from bot.settings import Settings
from storage.checkins import add_checkin
from storage.db import Database
from storage.models import CheckIn, Customer, CustomerChange
from tests.factories import customer

NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)
TODAY = NOW.date()
OWNER = Actor("T0001", "U1", "Europe/London")


def services(db: Database, now: datetime = NOW) -> Services:
    return Services(Settings(), db, lambda: now)


def stored(db: Database, **fields: Any) -> Customer:
    values: dict[str, Any] = {
        "arr": 12000.0,
        "original_reason": "Fast onboarding",
        "original_reason_on": date(2024, 1, 5),
        "customer_since": date(2024, 1, 5),
        "renewal_date": date(2027, 1, 5),
    }
    values.update(fields)
    row = customer("Acme", **values)
    row.id = None
    with db.transaction() as session:
        session.add(row)
    return row


def reload(db: Database, customer_id: int | None) -> Customer:
    with db.session() as session:
        row = session.get(Customer, customer_id)
        assert row is not None
        return row


def history(db: Database) -> list[tuple[str, str | None, str | None, str | None, str | None]]:
    with db.session() as session:
        rows = session.exec(select(CustomerChange).order_by(CustomerChange.id)).all()  # type: ignore[arg-type]
        return [(r.field, r.old_value, r.new_value, r.changed_by, r.note) for r in rows]


def edit_of(form: EditForm, **changes: Any) -> CustomerEdit:
    """The form submitted as it was filled in, with `changes`."""
    values: dict[str, Any] = {
        "reason": form.reason or "",
        "since": form.since,
        "renewal": form.renewal,
        "arr_text": "" if form.arr is None else f"{form.arr:.0f}",
        "cadence_text": "" if form.cadence_days is None else str(form.cadence_days),
        "owner_user_id": form.owner_user_id,
    }
    values.update(changes)
    return CustomerEdit(**values)


ANYONE: Callable[[str], bool] = lambda user: True  # noqa: E731


def test_an_edit_stores_each_changed_field_with_its_old_and_new_value(db: Database) -> None:
    acme = stored(db)
    form = edit_form(services(db), OWNER, acme.id or 0)
    assert isinstance(form, EditForm)
    assert (form.reason, form.arr, form.owner_user_id) == ("Fast onboarding", 12000.0, "U1")

    edit = edit_of(form, arr_text="15k", cadence_text="21", renewal=date(2027, 3, 1))
    result = edit_customer(services(db), OWNER, acme.id or 0, edit, may_own=ANYONE)

    assert isinstance(result, Edited)
    assert set(result.changed) == {"arr", "cadence_days", "renewal_date"}
    after = reload(db, acme.id)
    assert (after.arr, after.cadence_days, after.renewal_date) == (15000.0, 21, date(2027, 3, 1))
    assert after.updated_at == NOW
    assert sorted(history(db)) == [
        ("arr", "12000", "15000", "U1", None),
        ("cadence_days", None, "21", "U1", None),
        ("renewal_date", "2027-01-05", "2027-03-01", "U1", None),
    ]
    with db.session() as session:
        assert {r.source for r in session.exec(select(CustomerChange)).all()} == {"slack"}


def test_the_same_edit_again_records_nothing_more(db: Database) -> None:
    acme = stored(db)
    form = edit_form(services(db), OWNER, acme.id or 0)
    assert isinstance(form, EditForm)
    edit = edit_of(form, arr_text="15000")
    edit_customer(services(db), OWNER, acme.id or 0, edit, may_own=ANYONE)
    again = edit_customer(services(db), OWNER, acme.id or 0, edit, may_own=ANYONE)

    assert isinstance(again, Edited)
    assert again.changed == ()
    assert len(history(db)) == 1


def test_a_new_reason_is_their_reason_now_and_the_original_stays(db: Database) -> None:
    acme = stored(db)
    form = edit_form(services(db), OWNER, acme.id or 0)
    assert isinstance(form, EditForm)
    edit_customer(services(db), OWNER, acme.id or 0, edit_of(form, reason="Cost savings"), may_own=ANYONE)

    after = reload(db, acme.id)
    assert (after.original_reason, after.original_reason_on) == ("Fast onboarding", date(2024, 1, 5))
    assert (after.current_reason, after.current_reason_on) == ("Cost savings", TODAY)
    assert history(db) == [("reason", "Fast onboarding", "Cost savings", "U1", None)]


def test_a_first_reason_becomes_the_original_one(db: Database) -> None:
    acme = stored(db, original_reason=None, original_reason_on=None)
    form = edit_form(services(db), OWNER, acme.id or 0)
    assert isinstance(form, EditForm)
    assert form.reason is None
    edit_customer(services(db), OWNER, acme.id or 0, edit_of(form, reason="Speed"), may_own=ANYONE)

    after = reload(db, acme.id)
    assert (after.original_reason, after.original_reason_on, after.current_reason) == ("Speed", TODAY, None)
    assert history(db) == [("reason", None, "Speed", "U1", None)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"arr_text": "lots"}, "arr"),
        ({"arr_text": "-5"}, "arr"),
        ({"cadence_text": "0"}, "cadence"),
        ({"cadence_text": "weekly"}, "cadence"),
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 3001}, "reason"),
        ({"renewal": date(2023, 1, 1)}, "renewal"),
        ({"since": date(1900, 1, 1)}, "since"),
        ({"owner_user_id": "not-a-user"}, "owner"),
    ],
)
def test_a_mistake_stores_nothing(db: Database, changes: dict[str, Any], field: str) -> None:
    acme = stored(db)
    form = edit_form(services(db), OWNER, acme.id or 0)
    assert isinstance(form, EditForm)
    result = edit_customer(services(db), OWNER, acme.id or 0, edit_of(form, **changes), may_own=ANYONE)

    assert isinstance(result, NotEdited)
    assert list(result.mistakes) == [field]
    assert history(db) == []
    assert reload(db, acme.id).arr == 12000.0


def test_a_new_owner_is_handed_the_customer_if_they_may_own_it(db: Database) -> None:
    acme = stored(db)
    form = edit_form(services(db), OWNER, acme.id or 0)
    assert isinstance(form, EditForm)

    refused = edit_customer(
        services(db), OWNER, acme.id or 0, edit_of(form, owner_user_id="U3"), may_own=lambda u: False
    )
    handed = edit_customer(
        services(db), OWNER, acme.id or 0, edit_of(form, owner_user_id="U2"), may_own=ANYONE
    )

    assert isinstance(refused, NotEdited)
    assert "cannot own customers" in refused.mistakes["owner"]
    assert isinstance(handed, Edited)
    assert handed.handed is not None
    assert (handed.handed.new_owner, handed.changed) == ("U2", ("owner",))
    assert reload(db, acme.id).owner_user_id == "U2"
    assert history(db) == [("owner", "U1", "U2", "U1", None)]


def test_the_digest_hand_over_keeps_history_too(db: Database) -> None:
    acme = stored(db)
    hand_over(services(db), OWNER, acme.id or 0, "U2")
    assert history(db) == [("owner", "U1", "U2", "U1", None)]


def test_only_the_owner_may_edit_or_change_the_status(db: Database) -> None:
    acme = stored(db)
    colleague = Actor("T0001", "U2")
    form = edit_form(services(db), OWNER, acme.id or 0)
    assert isinstance(form, EditForm)

    assert edit_form(services(db), colleague, acme.id or 0) == Refused("Acme", "U1")
    assert edit_customer(
        services(db), colleague, acme.id or 0, edit_of(form, arr_text="1"), may_own=ANYONE
    ) == (Refused("Acme", "U1"))
    assert status_form(services(db), colleague, acme.id or 0, Inactive.LOST) == Refused("Acme", "U1")
    assert mark_inactive(
        services(db), colleague, acme.id or 0, Inactive.INACTIVE, why="", on=TODAY
    ) == Refused("Acme", "U1")
    assert reactivate(services(db), colleague, acme.id or 0) == Refused("Acme", "U1")
    assert edit_form(services(db), Actor("T0002", "U1"), acme.id or 0) == Refused()
    assert history(db) == []


def test_lost_needs_why_and_stops_the_nudges_until_reactivated(db: Database) -> None:
    acme = stored(db, last_checkin_on=TODAY - timedelta(days=90))
    policy = Policy()
    assert due_reasons(reload(db, acme.id), today=TODAY, policy=policy, is_key=False)

    missing = mark_inactive(services(db), OWNER, acme.id or 0, Inactive.LOST, why=" ", on=TODAY)
    future = mark_inactive(services(db), OWNER, acme.id or 0, Inactive.LOST, why="x", on=TODAY + timedelta(1))
    lost = mark_inactive(
        services(db), OWNER, acme.id or 0, Inactive.LOST, why="Moved to a cheaper tool", on=date(2026, 11, 18)
    )

    assert missing == StatusNotChanged({"why": WHY_LOST_REQUIRED})
    assert isinstance(future, StatusNotChanged)
    assert list(future.mistakes) == ["on"]
    assert lost == StatusChanged("Acme", Inactive.LOST)
    after = reload(db, acme.id)
    assert (after.active, after.inactive_kind, after.inactive_on, after.inactive_why) == (
        False,
        Inactive.LOST,
        date(2026, 11, 18),
        "Moved to a cheaper tool",
    )
    assert due_reasons(after, today=TODAY, policy=policy, is_key=False) == ()

    assert reactivate(services(db), OWNER, acme.id or 0) == StatusChanged("Acme", None)
    again = reload(db, acme.id)
    assert (again.active, again.inactive_kind, again.inactive_on, again.inactive_why) == (
        True,
        None,
        None,
        None,
    )
    assert history(db) == [
        ("status", "active", "lost", "U1", "Moved to a cheaper tool"),
        ("status", "lost", "active", "U1", None),
    ]


def test_inactive_needs_no_why_and_defaults_to_the_actors_today(db: Database) -> None:
    acme = stored(db)
    # 23:30 in London on the 20th is already the 21st in Tokyo.
    late = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    form = status_form(
        services(db, late), Actor("T0001", "U1", "Asia/Tokyo"), acme.id or 0, Inactive.INACTIVE
    )

    assert isinstance(form, StatusForm)
    assert form.today == date(2026, 11, 21)
    result = mark_inactive(services(db), OWNER, acme.id or 0, Inactive.INACTIVE, why="", on=TODAY)
    assert result == StatusChanged("Acme", Inactive.INACTIVE)
    assert reload(db, acme.id).inactive_why is None


def test_history_has_the_checkins_and_the_changes_newest_first_in_pages(db: Database) -> None:
    acme = stored(db)
    with db.transaction() as session:
        row = session.get(Customer, acme.id)
        assert row is not None
        for days in (1, 3, 5):
            checkin = CheckIn(
                team_id="T0001",
                customer_id=0,
                occurred_on=TODAY - timedelta(days=days),
                note=f"{days} days ago",
                verdict=Verdict.HOLDS,
            )
            add_checkin(checkin, customer=row, session=session, now=NOW)
    form = edit_form(services(db), OWNER, acme.id or 0)
    assert isinstance(form, EditForm)
    edit_customer(
        services(db, NOW - timedelta(days=2)),
        OWNER,
        acme.id or 0,
        edit_of(form, arr_text="15000"),
        may_own=ANYONE,
    )

    first = history_page(services(db), OWNER, acme.id or 0, 0, page_size=3)
    second = history_page(services(db), OWNER, acme.id or 0, 1, page_size=3)

    assert first is not None
    assert second is not None
    assert (first.checkins, first.changes, first.total) == (3, 1, 4)
    labels = [e.field if isinstance(e, ChangeEntry) else e.note for e in [*first.entries, *second.entries]]
    assert labels == ["1 days ago", "arr", "3 days ago", "5 days ago"]
    change = first.entries[1]
    assert change == ChangeEntry(TODAY - timedelta(days=2), "U1", "arr", "12000", "15000", None)
    assert second.page == 1
