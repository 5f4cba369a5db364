"""Hostile input from every door: slash text, forged form payloads, CSV cells.

Whatever is typed or forged, the answer is a 200 with a friendly reply (or the import's clean
refusal), nothing shown carries a live mention or link, and nothing is stored that should not be.
"""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.operations.import_book import ImportRejected, import_customers
from bot.rules.limits import clean_text
from handlers import ids
from storage.models import CheckIn, Customer
from tests.live_app import NOW, TODAY, LiveApp, reply
from tests.markup import marked_up
from tests.test_input_limits import checkin_form, submit

HOSTILE_PIECES = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S123>",
    "<@U999>",
    "<#C123>",
    "<http://evil.example|click>",
    "&lt;",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "Аcme",  # Cyrillic А
    "Ａｃｍｅ",  # full width
    ":",
    "::",
    "#holds",
    "#changed",
    '=HYPERLINK("http://x")',
    "\t",
    "\r\n",
    "'",
    "%",
    "_",
]
HOSTILE = st.lists(
    st.sampled_from(HOSTILE_PIECES) | st.text(st.characters(codec="utf-8"), max_size=20), max_size=8
).map("".join) | st.sampled_from(["a" * 50_000, "Acme: " + "x" * 10_000, "<!channel> Corp"])

EXAMPLES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_LIVE = re.compile(r"<[!#]|<https?:|<mailto:")
_MENTION = re.compile(r"<@([A-Z0-9]+)")


def assert_nothing_live(shown: str) -> None:
    """No @channel/@here/user-group ping, channel link or link made of what someone typed."""
    assert not _LIVE.search(shown), shown
    # The only people mentioned are the ones the book names (the owner of the customer).
    assert set(_MENTION.findall(shown)) <= {"U1"}, shown


def checkins(live: LiveApp) -> list[CheckIn]:
    with live.services.database.session() as session:
        return list(session.exec(select(CheckIn)).all())


@EXAMPLES
@given(text=HOSTILE)
def test_any_customer_lookup_is_friendly_and_changes_nothing(live_sqlite: LiveApp, text: str) -> None:
    live = live_sqlite
    with live.services.database.session() as session:
        if session.exec(select(Customer)).first() is None:
            live.add_customer("<!channel> Corp", reason="<@U999> said so", arr=1000.0)
            live.add_customer("Acme", reason='=HYPERLINK("http://x")')
    before = checkins(live)
    response = live.command("/customer", text)
    assert response.status_code == 200
    body = reply(response)
    if body:  # `/customer add …` opens a form instead
        assert body["text"].strip()
        assert "Sorry, something went wrong" not in body["text"]
        assert_nothing_live(marked_up(body))
    assert checkins(live) == before


@EXAMPLES
@given(note=HOSTILE, spoke_with=HOSTILE)
def test_any_checkin_form_text_is_stored_clean_or_refused_next_to_the_field(
    live_sqlite: LiveApp, note: str, spoke_with: str
) -> None:
    live = live_sqlite
    with live.services.database.session() as session:
        acme = session.exec(select(Customer).where(Customer.name == "Acme")).first()
    if acme is None:
        acme = live.add_customer("Acme")
    before = len(checkins(live))
    answer: dict[str, Any] = submit(
        live,
        ids.CHECKIN_VIEW,
        checkin_form(acme.id, note=note, spoke_with=spoke_with),
        view_id=f"V{uuid.uuid4().hex[:10].upper()}",  # each example is a new form, not a retry
    )
    stored = checkins(live)
    if answer.get("response_action") == "errors":
        assert answer["errors"], answer
        assert len(stored) == before
        return
    assert answer["response_action"] == "update"
    assert_nothing_live(marked_up(answer["view"]))
    assert len(stored) == before + 1
    newest = max(stored, key=lambda row: row.id or 0)
    assert newest.note == clean_text(note).strip()
    assert clean_text(newest.note) == newest.note
    assert newest.spoke_with is None or clean_text(newest.spoke_with) == newest.spoke_with


@EXAMPLES
@given(name=HOSTILE, reason=HOSTILE)
def test_any_csv_cell_is_imported_clean_or_refused_with_row_errors(
    sqlite_db: Any, name: str, reason: str
) -> None:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    text = f"name,owner,reason\n{cell(name)},U0123ABCD,{cell(reason)}\n"
    with sqlite_db.session() as session:
        before = list(session.exec(select(Customer)).all())
    try:
        import_customers(
            io.StringIO(text), database=sqlite_db, team_id="T0001", resolve_emails=None, today=TODAY, now=NOW
        )
    except ImportRejected as rejected:
        refusal = str(rejected)
        with sqlite_db.session() as session:
            assert list(session.exec(select(Customer)).all()) == before
        assert refusal
        return
    with sqlite_db.session() as session:
        for customer in session.exec(select(Customer)).all():
            assert clean_text(customer.name) == customer.name
            assert (
                customer.original_reason is None
                or clean_text(customer.original_reason) == customer.original_reason
            )
