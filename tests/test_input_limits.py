"""One set of field limits on every path: control characters removed, lengths, ranges and date windows
refused with a message naming the limit, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.csv_format import CHECKINS, CUSTOMERS
from bot.operations.import_book import ImportRejected, import_checkins, import_customers, read_records
from bot.rules.limits import (
    CHECKIN_DATE,
    MAX_NOTE,
    MAX_SPOKE_WITH,
    RENEWAL_DATE,
    clean_text,
    latest_today,
)
from bot.rules.names import name_key
from bot.rules.vocabulary import Verdict
from handlers import ids
from storage.checkins import add_checkin, insert_checkins
from storage.db import Database
from storage.models import CheckIn, Customer
from tests.add_form_state import add_form_values
from tests.live_app import NOW, TODAY, LiveApp, all_text, reply
from tests.slack_requests import block_action, view_submission

TEAM = "T0001"
CONTROL = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))]
CUSTOMERS_HEADER = "name,owner,reason,since,renewal_date,arr,cadence_days\n"
CHECKINS_HEADER = "customer,date,author,note\n"


# -- the rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("Acme\x00 GmbH", "Acme GmbH"),
        ("bell\x07 and escape\x1b[31m", "bell and escape[31m"),
        ("del\x7f and next line\x85", "del and next line"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("windows\r\nline\rends", "windows\nline\nends"),
        ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
        ("Zürich ✓ 日本", "Zürich ✓ 日本"),
    ],
)
def test_control_characters_are_removed_and_line_ends_become_lf(text: str, clean: str) -> None:
    assert clean_text(text) == clean


@given(st.text())
def test_clean_text_leaves_no_control_character_and_is_stable(text: str) -> None:
    cleaned = clean_text(text)
    assert not any(char in cleaned for char in CONTROL)
    assert clean_text(cleaned) == cleaned


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (TODAY, None),
        (TODAY - timedelta(days=365 * 19), None),
        (TODAY + timedelta(days=1), "is in the future"),
        (date(1, 1, 1), "is more than 20 years ago"),
        (date(2099, 1, 1), "is in the future"),
        (date(9999, 12, 31), "is in the future"),
    ],
)
def test_a_checkin_date_lies_within_twenty_years_up_to_today(day: date, problem: str | None) -> None:
    assert CHECKIN_DATE.problem(day, TODAY) == problem


def test_a_renewal_may_lie_ahead_but_not_beyond_twenty_years() -> None:
    assert RENEWAL_DATE.problem(TODAY + timedelta(days=365 * 5), TODAY) is None
    assert RENEWAL_DATE.problem(date(9999, 1, 1), TODAY) == "is more than 20 years ahead"


def test_a_file_without_time_zone_may_hold_the_day_it_is_anywhere() -> None:
    assert latest_today(NOW) == TODAY + timedelta(days=1)  # 12:00 UTC is already tomorrow in Kiribati


# -- CSV files ----------------------------------------------------------------------------------


def rejected_lines(error: pytest.ExceptionInfo[ImportRejected]) -> list[str]:
    return [str(row) for row in error.value.errors]


def customers(database: Database) -> list[Customer]:
    with database.session() as session:
        return list(session.exec(select(Customer).order_by(Customer.id)).all())  # type: ignore[arg-type]


def checkins(database: Database) -> list[CheckIn]:
    with database.session() as session:
        return list(session.exec(select(CheckIn).order_by(CheckIn.id)).all())  # type: ignore[arg-type]


def import_customers_text(database: Database, text: str) -> None:
    import_customers(
        io.StringIO(text), database=database, team_id=TEAM, resolve_emails=None, today=TODAY, now=NOW
    )


def import_checkins_text(database: Database, text: str) -> None:
    import_checkins(io.StringIO(text), database=database, team_id=TEAM, resolve_emails=None, now=NOW)


def test_nul_bytes_in_a_file_are_removed_the_same_way_on_both_databases(db: Database) -> None:
    import_customers_text(db, CUSTOMERS_HEADER + 'Ac\x00me,U0ANN,"Fast\x00 onboarding\r\nand support",,,,\n')
    import_checkins_text(db, CHECKINS_HEADER + "Acme,2025-03-01,U0ANN,Spoke\x00 with\x1f Jo\n")
    [acme] = customers(db)
    assert (acme.name, acme.original_reason) == ("Acme", "Fast onboarding\nand support")
    [stored] = checkins(db)
    assert stored.note == "Spoke with Jo"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Acme,U0ANN,,,,," + "1" * 30, f"line 2: cadence_days '{'1' * 30}' is more than 3,650 days"),
        ("Acme,U0ANN,,,,,3651", "line 2: cadence_days '3651' is more than 3,650 days"),
        (
            "Acme,U0ANN,,,," + "9" * 400 + ",",
            f"line 2: arr '{'9' * 40}…' is above the limit of 1,000,000,000,000",
        ),
        ("Acme,U0ANN,,,,1e999,", "line 2: arr '1e999' is above the limit of 1,000,000,000,000"),
        ("Acme,U0ANN,,,,2e12,", "line 2: arr '2e12' is above the limit of 1,000,000,000,000"),
        ("Acme,U0ANN,,,,inf,", "line 2: arr 'inf' is not a number"),
        ("Acme,U0ANN,,,,nan,", "line 2: arr 'nan' is not a number"),
        ("Acme,U0ANN,,,,Infinity,", "line 2: arr 'Infinity' is not a number"),
        ("A" * 201 + ",U0ANN,,,,,", "line 2: name is 201 characters long; the limit is 200"),
        ("Acme,U0ANN," + "r" * 3001 + ",,,,", "line 2: reason is 3,001 characters long; the limit is 3,000"),
    ],
)
def test_out_of_range_customer_cells_reject_the_file_naming_the_limit(
    db: Database, row: str, message: str
) -> None:
    with pytest.raises(ImportRejected) as raised:
        import_customers_text(db, CUSTOMERS_HEADER + row + "\n")
    assert rejected_lines(raised) == [message]
    assert customers(db) == []


def test_an_over_long_note_rejects_the_checkins_file(db: Database) -> None:
    import_customers_text(db, CUSTOMERS_HEADER + "Acme,U0ANN,,,,,\n")
    with pytest.raises(ImportRejected) as raised:
        import_checkins_text(db, CHECKINS_HEADER + "Acme,2025-03-01,U0ANN," + "n" * (MAX_NOTE + 1) + "\n")
    assert rejected_lines(raised) == ["line 2: note is 3,001 characters long; the limit is 3,000"]
    assert checkins(db) == []


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("0001-01-01", "line 2: date '0001-01-01' is more than 20 years ago"),
        ("2099-01-01", "line 2: date '2099-01-01' is in the future"),
        ("9999-12-31", "line 2: date '9999-12-31' is in the future"),
    ],
)
def test_checkin_dates_outside_the_window_are_row_errors(day: str, message: str) -> None:
    records, errors = read_records(
        io.StringIO(f"{CHECKINS_HEADER}Acme,{day},U0ANN,note\n"), CHECKINS.on(TODAY)
    )
    assert (records, [str(error) for error in errors]) == ([], [message])


def test_customer_dates_outside_their_windows_are_row_errors() -> None:
    text = CUSTOMERS_HEADER + "Acme,U0ANN,,0001-01-01,9999-12-31,,\nBeta,U0ANN,,2020-01-01,2027-01-01,,\n"
    records, errors = read_records(io.StringIO(text), CUSTOMERS.on(TODAY))
    assert [record.name for record in records] == ["Beta"]
    assert [str(error) for error in errors] == [
        "line 2: since '0001-01-01' is more than 100 years ago; "
        "renewal_date '9999-12-31' is more than 20 years ahead"
    ]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("0001-01-01", "line 2: date '0001-01-01' is more than 20 years ago"),
        ("2099-01-01", "line 2: date '2099-01-01' is in the future"),
        ("9999-12-31", "line 2: date '9999-12-31' is in the future"),
    ],
)
def test_an_import_refuses_checkins_dated_outside_the_window(db: Database, day: str, message: str) -> None:
    import_customers_text(db, CUSTOMERS_HEADER + "Acme,U0ANN,,,,,\n")
    with pytest.raises(ImportRejected) as raised:
        import_checkins_text(db, f"{CHECKINS_HEADER}Acme,{day},U0ANN,note\n")
    assert rejected_lines(raised) == [message]
    assert checkins(db) == []


def test_an_import_refuses_customer_dates_outside_their_windows(db: Database) -> None:
    with pytest.raises(ImportRejected) as raised:
        import_customers_text(db, CUSTOMERS_HEADER + "Acme,U0ANN,,0001-01-01,,,\n")
    assert rejected_lines(raised) == ["line 2: since '0001-01-01' is more than 100 years ago"]
    assert customers(db) == []


# -- storage: the last line of defence ------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=MAX_NOTE))
def test_any_text_stores_cleaned_and_reads_back_identically(db: Database, text: str) -> None:
    """Stored through either door (a form's check-in, an import's bulk insert) with whatever
    characters it holds, a text reads back as `clean_text` made it, on SQLite and PostgreSQL."""
    customer = Customer(team_id=TEAM, name="Acme", name_key=name_key("Acme"), owner_user_id="U1")
    with db.transaction() as session:
        stored = session.exec(select(Customer)).first()
        if stored is None:
            session.add(customer)
            session.flush()
            stored = customer
        form = CheckIn(team_id=TEAM, customer_id=0, occurred_on=TODAY, note=text, new_reason=text)
        add_checkin(form, customer=stored, session=session, now=NOW)
        session.flush()
        form_id = form.id
        imported = CheckIn(
            team_id=TEAM,
            customer_id=stored.id or 0,
            occurred_on=TODAY,
            author_user_id=f"U{form_id}",
            note=text,
        )
        insert_checkins(TEAM, [imported], source="import", now=NOW, session=session)
    with db.session() as session:
        form_row = session.get(CheckIn, form_id)
        [import_row] = session.exec(select(CheckIn).where(CheckIn.author_user_id == f"U{form_id}")).all()
    assert form_row is not None
    assert form_row.note == form_row.new_reason == import_row.note == clean_text(text)
    assert not any(char in import_row.note for char in CONTROL)


# -- Slack: forged form payloads get a clean answer and store nothing ------------------------------


def checkin_form(customer_id: int | None, **fields: Any) -> dict[str, dict[str, Any]]:
    """The check-in form's `state.values`; any field may be forged."""

    def text(block: str, value: str | None) -> dict[str, Any]:
        return {block: {block: {"type": "plain_text_input", "value": value}}}

    return {
        ids.CHECKIN_CUSTOMER: {
            ids.CHECKIN_CUSTOMER: {"type": "external_select", "selected_option": {"value": str(customer_id)}}
        },
        ids.CHECKIN_DATE: {
            ids.CHECKIN_DATE: {"type": "datepicker", "selected_date": fields.get("date", TODAY.isoformat())}
        },
        **text(ids.CHECKIN_NOTE, fields.get("note", "Good call")),
        **text(ids.CHECKIN_SPOKE_WITH, fields.get("spoke_with")),
        **text(ids.CHECKIN_NEXT_STEP, fields.get("next_step")),
        ids.CHECKIN_NEXT_STEP_DUE: {
            ids.CHECKIN_NEXT_STEP_DUE: {"type": "datepicker", "selected_date": fields.get("due")}
        },
    }


def submit(live: LiveApp, callback_id: str, values: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return reply(live.interact(view_submission(callback_id, values, **kwargs)))


@pytest.mark.parametrize(
    ("fields", "block", "message"),
    [
        (
            {"note": "x" * 1_000_000},
            ids.CHECKIN_NOTE,
            "The note is 1,000,000 characters long; the limit is 3,000.",
        ),
        ({"date": "0001-01-01"}, ids.CHECKIN_DATE, "The date is more than 20 years ago."),
        ({"date": "2099-06-01"}, ids.CHECKIN_DATE, "The date is in the future."),
        ({"date": "99999-01-01"}, ids.CHECKIN_DATE, "Pick the day of the conversation."),
        ({"note": "\x00\x01\x02"}, ids.CHECKIN_NOTE, "Write a line about the conversation."),
        (
            {"spoke_with": "J" * (MAX_SPOKE_WITH + 1)},
            ids.CHECKIN_SPOKE_WITH,
            "Who we spoke with is 501 characters long; the limit is 500.",
        ),
        (
            {"next_step": "Call", "due": "9999-01-01"},
            ids.CHECKIN_NEXT_STEP_DUE,
            "The due date is more than 10 years ahead.",
        ),
    ],
)
def test_a_forged_checkin_form_is_answered_next_to_the_field(
    live: LiveApp, fields: dict[str, str], block: str, message: str
) -> None:
    acme = live.add_customer("Acme")
    body = submit(live, ids.CHECKIN_VIEW, checkin_form(acme.id, **fields))
    assert body == {"response_action": "errors", "errors": {block: message}}
    assert checkins(live.services.database) == []


def test_a_nul_in_a_checkin_form_is_removed_before_it_is_stored(live: LiveApp) -> None:
    acme = live.add_customer("Acme")
    values = checkin_form(acme.id, note="Spoke\x00 with Jo\r\nabout\x1b pricing", spoke_with="J\x00o")
    assert submit(live, ids.CHECKIN_VIEW, values)["response_action"] == "update"
    [stored] = checkins(live.services.database)
    assert (stored.note, stored.spoke_with) == ("Spoke with Jo\nabout pricing", "Jo")


def add_form(name: str, **fields: Any) -> dict[str, dict[str, Any]]:
    values = add_form_values(name, reason=fields.get("reason"), arr=fields.get("arr"))
    values[ids.CUSTOMER_SINCE] = {
        ids.CUSTOMER_SINCE: {"type": "datepicker", "selected_date": fields.get("since")}
    }
    return values


@pytest.mark.parametrize(
    ("fields", "block", "message"),
    [
        ({"arr": "9" * 400}, ids.CUSTOMER_ARR, "The amount is above the limit of 1,000,000,000,000."),
        ({"arr": "2000000m"}, ids.CUSTOMER_ARR, "The amount is above the limit of 1,000,000,000,000."),
        (
            {"reason": "r" * 1_000_000},
            ids.CUSTOMER_REASON,
            "The reason is 1,000,000 characters long; the limit is 3,000.",
        ),
        ({"since": "0001-01-01"}, ids.CUSTOMER_SINCE, "The customer-since date is more than 100 years ago."),
    ],
)
def test_a_forged_customer_form_is_answered_next_to_the_field(
    live: LiveApp, fields: dict[str, str], block: str, message: str
) -> None:
    body = submit(live, ids.CUSTOMER_VIEW, add_form("Acme", **fields))
    assert body == {"response_action": "errors", "errors": {block: message}}
    assert customers(live.services.database) == []


def test_a_forged_customer_name_far_over_the_limit_is_refused(live: LiveApp) -> None:
    body = submit(live, ids.CUSTOMER_VIEW, add_form("A" * 1_000_000))
    assert body["errors"] == {ids.CUSTOMER_NAME: "The name is 1,000,000 characters long; the limit is 200."}
    assert customers(live.services.database) == []


def test_a_nul_in_a_customer_form_is_removed_before_it_is_stored(live: LiveApp) -> None:
    assert submit(live, ids.CUSTOMER_VIEW, add_form("Ac\x00me", reason="Fast\x00 support"))[
        "response_action"
    ] == ("update")
    [acme] = customers(live.services.database)
    assert (acme.name, acme.name_key, acme.original_reason) == ("Acme", "acme", "Fast support")


def test_a_forged_new_reason_over_the_limit_is_refused(live: LiveApp) -> None:
    acme = live.add_customer("Acme", original_reason="Speed")
    with live.services.database.transaction() as session:
        checkin = CheckIn(team_id=TEAM, customer_id=acme.id or 0, occurred_on=TODAY, author_user_id="U1")
        session.add(checkin)
    values = {ids.NEW_REASON: {ids.NEW_REASON: {"type": "plain_text_input", "value": "n" * 1_000_000}}}
    metadata = json.dumps({"checkin": checkin.id, "response_url": None})
    body = submit(live, ids.NEW_REASON_VIEW, values, private_metadata=metadata)
    assert body["errors"] == {ids.NEW_REASON: "The reason is 1,000,000 characters long; the limit is 3,000."}
    [stored] = checkins(live.services.database)
    assert (stored.verdict, stored.new_reason) == (Verdict.NOT_ASKED, None)


@pytest.mark.parametrize(
    ("note", "day", "message"),
    [
        ("n" * 1_000_000, TODAY.isoformat(), "The note is 1,000,000 characters long; the limit is 3,000."),
        ("fine note", "0001-01-01", "The date is more than 20 years ago."),
        ("fine note", "2099-01-01", "The date is in the future."),
    ],
)
def test_a_forged_pick_button_is_answered_and_stores_nothing(
    live: LiveApp, note: str, day: str, message: str
) -> None:
    acme = live.add_customer("Acme")
    value = json.dumps({"c": acme.id, "n": note, "v": None, "k": "k1", "d": day})
    action = block_action(
        ids.numbered(ids.PICK_FOR_CHECKIN_ACTION, 0), value, response_url=live.slack.response_url("pick")
    )
    assert reply(live.interact(action)) == {}
    [answer] = live.slack.wait_for("response_url")
    assert answer.args["text"] == answer.args["blocks"][0]["text"]["text"] == f"Nothing was saved. {message}"
    assert checkins(live.services.database) == []


def test_a_nul_typed_after_checkin_is_removed_before_it_is_stored(live: LiveApp) -> None:
    live.add_customer("Acme")
    body = reply(live.command("/checkin", "Acme: told them\x00 the plan"))
    assert "Logged a check-in" in all_text(body)
    [stored] = checkins(live.services.database)
    assert stored.note == "told them the plan"
