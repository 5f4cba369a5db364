"""Importing customers and check-ins: whole-file validation, upserts, e-mail owners, dedupe, state."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime
from functools import partial

import pytest
from sqlmodel import col, select

from bot.access import for_one_run
from bot.operations.import_book import (
    CheckInImport,
    CustomerImport,
    EmailResolver,
    ImportRejected,
    OwnerCheck,
    import_checkins,
    import_customers,
)
from bot.rules.vocabulary import Change, Expectation, Verdict
from bot.settings import load_settings
from bot.slack_client import make_web_client
from bot.slack_users import user_ids_by_email
from storage.db import Database
from storage.models import CheckIn, Customer, Owner
from tests.slack_stub import SlackStub

TEAM = "T0001"
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
CUSTOMERS_HEADER = "name,owner,reason,since,renewal_date,arr,cadence_days\n"
CHECKINS_HEADER = "customer,date,author,note,verdict,expectation\n"


def customers(
    db: Database,
    text: str,
    *,
    resolve: EmailResolver | None = None,
    check_owner: OwnerCheck | None = None,
    dry_run: bool = False,
) -> CustomerImport:
    return import_customers(
        io.StringIO(text),
        database=db,
        team_id=TEAM,
        resolve_emails=resolve,
        today=TODAY,
        now=NOW,
        check_owner=check_owner,
        dry_run=dry_run,
    )


def checkins(
    db: Database, text: str, *, resolve: EmailResolver | None = None, dry_run: bool = False
) -> CheckInImport:
    return import_checkins(
        io.StringIO(text), database=db, team_id=TEAM, resolve_emails=resolve, now=NOW, dry_run=dry_run
    )


def stored_customers(db: Database) -> list[Customer]:
    with db.session() as session:
        return list(session.exec(select(Customer).order_by(col(Customer.name_key))).all())


def stored_checkins(db: Database) -> list[CheckIn]:
    with db.session() as session:
        return list(session.exec(select(CheckIn).order_by(col(CheckIn.id))).all())


@pytest.fixture
def slack_users(slack: SlackStub) -> EmailResolver:
    slack.add_user("U0ANN", email="ann@example.com")
    slack.add_user("U0BOB", email="Bob@Example.com")
    slack.add_user("U0GONE", email="gone@example.com", deleted=True)
    client = make_web_client(load_settings(slack_bot_token="xoxb-test", slack_api_url=slack.api_url))
    return partial(user_ids_by_email, client)


# -- customers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        (
            "name,owner,colour\nAcme,U0ANN,red\n",
            [
                "line 1: unknown column 'colour' (expected some of: name, owner, reason, reason_theme, "
                "since, renewal_date, arr, cadence_days, active)"
            ],
        ),
        ("name,reason\nAcme,cheap\n", ["line 1: required column 'owner' is missing"]),
        (CUSTOMERS_HEADER + ",U0ANN,,,,,\n", ["line 2: name is empty"]),
        (CUSTOMERS_HEADER + "Acme,,,,,,\n", ["line 2: owner is empty"]),
        (
            CUSTOMERS_HEADER + "Acme,U0ANN,,2026-02-30,,,\n",
            ["line 2: since '2026-02-30' is not a date (YYYY-MM-DD)"],
        ),
        (
            CUSTOMERS_HEADER + "Acme,U0ANN,,,next year,,\n",
            ["line 2: renewal_date 'next year' is not a date (YYYY-MM-DD)"],
        ),
        (CUSTOMERS_HEADER + "Acme,U0ANN,,,,-5,\n", ["line 2: arr '-5' is negative"]),
        (CUSTOMERS_HEADER + "Acme,U0ANN,,,,lots,\n", ["line 2: arr 'lots' is not a number"]),
        (
            CUSTOMERS_HEADER + "Acme,U0ANN,,,,,0\n",
            ["line 2: cadence_days '0' is not a whole number of days above 0"],
        ),
        (
            CUSTOMERS_HEADER + "Acme,bob,,,,,\n",
            ["line 2: owner 'bob' is neither a Slack user ID (like U0123ABCD) nor an e-mail address"],
        ),
        (
            CUSTOMERS_HEADER + "Acme,U0ANN,,,,,\nBeta,U0ANN,,,,,\n  ACME ,U0BOB,,,,,\n",
            ["line 4: name 'ACME' is already on line 2"],
        ),
        (CUSTOMERS_HEADER + "Acme,U0ANN,,,,,,extra\n", ["line 2: 8 values, but the header names 7 columns"]),
        (
            CUSTOMERS_HEADER + 'Acme,U0ANN,"a reason\nover two lines",,,,\n,U0ANN,,,,x,\n',
            ["line 4: name is empty; arr 'x' is not a number"],
        ),
        (
            CUSTOMERS_HEADER + "Good,U0ANN,,,,,\nAcme,U0ANN,,,,-1,\n\nBeta,U0ANN,,2026-13-01,,,\n",
            ["line 3: arr '-1' is negative", "line 5: since '2026-13-01' is not a date (YYYY-MM-DD)"],
        ),
    ],
)
def test_bad_customer_rows_are_listed_by_line_and_nothing_is_imported(
    db: Database, text: str, errors: list[str]
) -> None:
    with pytest.raises(ImportRejected) as raised:
        customers(db, text)
    assert [str(error) for error in raised.value.errors] == errors
    assert stored_customers(db) == []


def test_an_empty_file_is_rejected(db: Database) -> None:
    with pytest.raises(ImportRejected, match="the file is empty"):
        customers(db, "")


def test_customers_are_added_with_every_column_and_owners_recorded(db: Database) -> None:
    result = customers(
        db,
        "cadence_days,arr,renewal_date,since,reason,owner,name\n"
        "21,120000.50,2027-03-31,2024-01-15,Cheapest secure storage,U0ANN,Acme GmbH\n"
        ",,,,,W0BOB,Beta\n",
    )
    assert result == CustomerImport(added=2, updated=0, unchanged=0, owners_added=2, dry_run=False)
    acme, beta = stored_customers(db)
    assert (acme.team_id, acme.name, acme.name_key, acme.owner_user_id) == (
        TEAM,
        "Acme GmbH",
        "acme gmbh",
        "U0ANN",
    )
    assert (acme.original_reason, acme.original_reason_on) == ("Cheapest secure storage", TODAY)
    assert (acme.customer_since, acme.renewal_date, acme.arr, acme.cadence_days) == (
        date(2024, 1, 15),
        date(2027, 3, 31),
        120000.5,
        21,
    )
    assert (acme.active, acme.last_changes, acme.created_at) == (True, [], NOW)
    assert (beta.original_reason, beta.original_reason_on, beta.arr) == (None, None, None)
    with db.session() as session:
        owners = session.exec(select(Owner).order_by(col(Owner.user_id))).all()
    assert [(o.team_id, o.user_id, o.email) for o in owners] == [(TEAM, "U0ANN", None), (TEAM, "W0BOB", None)]


def test_upsert_matches_names_ignoring_case_updates_given_cells_and_deletes_nothing(db: Database) -> None:
    customers(
        db,
        CUSTOMERS_HEADER
        + "Acme,U0ANN,Cheapest,2024-01-15,2027-03-31,1000,\nBeta,U0ANN,Fast,,,,\nGamma,U0ANN,,,,,\n",
    )
    result = customers(db, "name,owner,arr,reason\n  ACME   ,U0BOB,2000,\nBeta,U0ANN,,Fast\nDelta,U0BOB,,\n")
    assert result == CustomerImport(
        added=1, updated=1, unchanged=1, owners_added=1, dry_run=False, fields_changed={"owner": 1, "arr": 1}
    )
    acme, beta, delta, gamma = stored_customers(db)
    assert (acme.name, acme.owner_user_id, acme.arr) == ("ACME", "U0BOB", 2000.0)
    # Empty or absent cells keep what is stored.
    assert (acme.original_reason, acme.customer_since, acme.renewal_date) == (
        "Cheapest",
        date(2024, 1, 15),
        date(2027, 3, 31),
    )
    assert (beta.name, beta.original_reason) == ("Beta", "Fast")
    assert [c.name for c in (delta, gamma)] == ["Delta", "Gamma"]


def test_a_new_reason_is_dated_the_day_of_the_import(db: Database) -> None:
    customers(db, "name,owner,reason\nAcme,U0ANN,Cheapest\n")
    import_customers(
        io.StringIO("name,owner,reason\nAcme,U0ANN,Most secure\n"),
        database=db,
        team_id=TEAM,
        resolve_emails=None,
        today=date(2027, 1, 2),
        now=NOW,
    )
    (acme,) = stored_customers(db)
    assert (acme.original_reason, acme.original_reason_on) == ("Most secure", date(2027, 1, 2))


def test_a_dry_run_reports_and_writes_nothing(db: Database) -> None:
    customers(db, "name,owner\nAcme,U0ANN\n")
    result = customers(db, "name,owner,arr\nAcme,U0ANN,5\nBeta,U0BOB,\n", dry_run=True)
    assert result == CustomerImport(
        added=1, updated=1, unchanged=0, owners_added=0, dry_run=True, fields_changed={"arr": 1}
    )
    (acme,) = stored_customers(db)
    assert acme.arr is None


def test_customers_are_per_workspace(db: Database) -> None:
    customers(db, "name,owner\nAcme,U0ANN\n")
    import_customers(
        io.StringIO("name,owner\nAcme,U0BOB\n"),
        database=db,
        team_id="T0002",
        resolve_emails=None,
        today=TODAY,
        now=NOW,
    )
    assert sorted((c.team_id, c.owner_user_id) for c in stored_customers(db)) == [
        ("T0001", "U0ANN"),
        ("T0002", "U0BOB"),
    ]


def test_email_owners_are_looked_up_once_each(
    db: Database, slack: SlackStub, slack_users: EmailResolver
) -> None:
    result = customers(
        db,
        "name,owner\nAcme,ann@example.com\nBeta,ANN@example.com\nGamma,bob@example.com\nDelta,U0ANN\n",
        resolve=slack_users,
    )
    assert result.added == 4
    assert [(c.name, c.owner_user_id) for c in stored_customers(db)] == [
        ("Acme", "U0ANN"),
        ("Beta", "U0ANN"),
        ("Delta", "U0ANN"),
        ("Gamma", "U0BOB"),
    ]
    assert sorted(call.args["email"] for call in slack.calls_to("users.lookupByEmail")) == [
        "ann@example.com",
        "bob@example.com",
    ]
    with db.session() as session:
        owners = session.exec(select(Owner).order_by(col(Owner.user_id))).all()
    assert [(o.user_id, o.email) for o in owners] == [
        ("U0ANN", "ann@example.com"),
        ("U0BOB", "bob@example.com"),
    ]


def test_unknown_and_deactivated_email_owners_are_bad_rows(db: Database, slack_users: EmailResolver) -> None:
    with pytest.raises(ImportRejected) as raised:
        customers(
            db,
            "name,owner\nAcme,nobody@example.com\nBeta,gone@example.com\nGamma,ann@example.com\n",
            resolve=slack_users,
        )
    assert [str(error) for error in raised.value.errors] == [
        "line 2: owner nobody@example.com: no active Slack user has this e-mail address",
        "line 3: owner gone@example.com: no active Slack user has this e-mail address",
    ]
    assert stored_customers(db) == []


def test_email_owners_without_a_bot_token_are_refused(db: Database) -> None:
    with pytest.raises(ImportRejected) as raised:
        customers(db, "name,owner\nAcme,ann@example.com\nBeta,U0ANN\n,U0ANN\n")
    assert raised.value.summary == (
        "people are given by e-mail address (line 2): set SLACK_BOT_TOKEN so Holdfast can look them up in "
        "Slack, or use Slack user IDs (like U0123ABCD)"
    )
    assert [str(error) for error in raised.value.errors] == ["line 4: name is empty"]
    assert stored_customers(db) == []


@pytest.mark.parametrize("dry_run", [False, True])
def test_owners_who_may_not_use_holdfast_are_bad_rows_by_id_and_by_email(
    db: Database, slack: SlackStub, dry_run: bool
) -> None:
    slack.add_user("U0ANN", email="ann@example.com")
    slack.add_user("U0GUEST", email="guest@example.com", is_restricted=True)
    slack.add_user("U0EXT", email="ext@partner.example", is_stranger=True)
    slack.add_user("U0OUT", email="out@example.com")
    slack.on("usergroups.users.list", lambda call: {"ok": True, "users": ["U0ANN", "U0GUEST", "U0EXT"]})
    settings = load_settings(
        slack_bot_token="xoxb-test", slack_api_url=slack.api_url, access_usergroup_id="S0TEAM", _env_file=None
    )
    client = make_web_client(settings)
    with pytest.raises(ImportRejected) as raised:
        customers(
            db,
            "name,owner\nAcme,U0ANN\nBeta,U0GUEST\nGamma,guest@example.com\nDelta,U0EXT\n"
            "Epsilon,ext@partner.example\nZeta,out@example.com\nEta,U0NOBODY\n",
            resolve=partial(user_ids_by_email, client),
            check_owner=for_one_run(settings, client).denial,
            dry_run=dry_run,
        )
    assert raised.value.summary == "6 bad rows; nothing was imported"
    assert [str(error) for error in raised.value.errors] == [
        "line 3: owner U0GUEST cannot use Holdfast (guest), so cannot own customers",
        "line 4: owner guest@example.com cannot use Holdfast (guest), so cannot own customers",
        "line 5: owner U0EXT cannot use Holdfast (external: another organisation, or Slack Connect), "
        "so cannot own customers",
        "line 6: owner ext@partner.example cannot use Holdfast (external: another organisation, or Slack "
        "Connect), so cannot own customers",
        "line 7: owner out@example.com cannot use Holdfast (not in the Holdfast access group), so cannot "
        "own customers",
        "line 8: owner U0NOBODY cannot use Holdfast (not a user of this Slack workspace), so cannot own "
        "customers",
    ]
    assert stored_customers(db) == []
    with db.session() as session:
        assert session.exec(select(Owner)).all() == []
    # Each person asked once, whether written as an ID or an address.
    asked = [call.args["user"] for call in slack.calls_to("users.info")]
    assert sorted(asked) == ["U0ANN", "U0EXT", "U0GUEST", "U0NOBODY", "U0OUT"]


# -- check-ins ---------------------------------------------------------------------------------


@pytest.fixture
def acme(db: Database) -> Database:
    customers(db, "name,owner,reason\nAcme,U0ANN,Cheapest\nBeta,U0BOB,\n")
    return db


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        (
            CHECKINS_HEADER + "Nope,2026-01-05,U0ANN,hi,,\n",
            ["line 2: customer 'Nope' is not a customer of this workspace"],
        ),
        (CHECKINS_HEADER + ",2026-01-05,,,,\n", ["line 2: customer is empty"]),
        (CHECKINS_HEADER + "Acme,,,,,\n", ["line 2: date is empty"]),
        (CHECKINS_HEADER + "Acme,5 Jan,,,,\n", ["line 2: date '5 Jan' is not a date (YYYY-MM-DD)"]),
        (
            CHECKINS_HEADER + "Acme,2026-01-05,bob,,,\n",
            ["line 2: author 'bob' is neither a Slack user ID (like U0123ABCD) nor an e-mail address"],
        ),
        (
            CHECKINS_HEADER + "Acme,2026-01-05,,,maybe,\n",
            ["line 2: verdict 'maybe' is not one of holds, weakened, changed, not asked"],
        ),
        (
            CHECKINS_HEADER + "Acme,2026-01-05,,,,great\n",
            ["line 2: expectation 'great' is not one of above, meets, below, unknown"],
        ),
        (
            "customer,date,changes,next_step_due\nAcme,2026-01-05,reorg;layoffs,soon\n",
            [
                "line 2: changes 'layoffs' is not one of new_leadership, reorg, merger, budget_cut, growth, "
                "champion_left, new_competitor; next_step_due 'soon' is not a date (YYYY-MM-DD)"
            ],
        ),
        (
            "customer,when\nAcme,2026-01-05\n",
            [
                "line 1: unknown column 'when' (expected some of: customer, date, author, note, verdict, "
                "expectation, spoke_with, new_reason, changes, next_step, next_step_due)",
                "line 1: required column 'date' is missing",
            ],
        ),
        (
            CHECKINS_HEADER + "Acme,2026-01-05,,,,\nZeta,2026-01-06,,,,\nAcme,2026-01-07,,,never,\n",
            [
                "line 3: customer 'Zeta' is not a customer of this workspace",
                "line 4: verdict 'never' is not one of holds, weakened, changed, not asked",
            ],
        ),
    ],
)
def test_bad_checkin_rows_are_listed_by_line_and_nothing_is_imported(
    acme: Database, text: str, errors: list[str]
) -> None:
    with pytest.raises(ImportRejected) as raised:
        checkins(acme, text)
    assert [str(error) for error in raised.value.errors] == errors
    assert stored_checkins(acme) == []
    assert all(c.last_checkin_on is None for c in stored_customers(acme))


def test_checkins_store_every_field_and_update_the_customer(acme: Database) -> None:
    result = checkins(
        acme,
        "customer,date,author,note,verdict,expectation,spoke_with,new_reason,changes,next_step,next_step_due\n"
        "acme,2026-03-01,U0ANN,Budget is tight,changed,below,CFO,Lowest total cost,budget_cut;reorg,"
        "Send the pricing,2026-03-15\n"
        "ACME,2026-02-01,U0BOB,Fine,holds,meets,,,,,\n",
    )
    assert result == CheckInImport(added=2, skipped=0, customers_updated=1, dry_run=False)
    first, second = stored_checkins(acme)
    assert (first.team_id, first.occurred_on, first.author_user_id, first.note) == (
        TEAM,
        date(2026, 2, 1),
        "U0BOB",
        "Fine",
    )
    assert (second.spoke_with, second.verdict, second.new_reason, second.expectation) == (
        "CFO",
        Verdict.CHANGED,
        "Lowest total cost",
        Expectation.BELOW,
    )
    assert (second.changes, second.next_step, second.next_step_due, second.source) == (
        ["budget_cut", "reorg"],
        "Send the pricing",
        date(2026, 3, 15),
        "import",
    )
    acme_customer = stored_customers(acme)[0]
    assert (acme_customer.last_checkin_on, acme_customer.last_checkin_by) == (date(2026, 3, 1), "U0ANN")
    assert (acme_customer.last_verdict, acme_customer.reason_confirmed_on) == (
        Verdict.CHANGED,
        date(2026, 2, 1),
    )
    assert (acme_customer.current_reason, acme_customer.current_reason_on) == (
        "Lowest total cost",
        date(2026, 3, 1),
    )
    assert (acme_customer.last_changes, acme_customer.concern_on) == (
        [Change.BUDGET_CUT, Change.REORG],
        date(2026, 3, 1),
    )
    assert (acme_customer.next_step, acme_customer.next_step_due) == ("Send the pricing", date(2026, 3, 15))
    assert acme_customer.updated_at == NOW


def test_reimporting_skips_checkins_already_stored(acme: Database) -> None:
    text = (
        CHECKINS_HEADER
        + "Acme,2026-01-05,U0ANN,hi,holds,\nAcme,2026-01-05,U0ANN,hi,holds,\nBeta,2026-01-06,,,,\n"
    )
    assert checkins(acme, text) == CheckInImport(added=2, skipped=1, customers_updated=2, dry_run=False)
    again = checkins(acme, text + "Acme,2026-01-05,U0BOB,hi,holds,\n")
    assert again == CheckInImport(added=1, skipped=3, customers_updated=1, dry_run=False)
    assert len(stored_checkins(acme)) == 3


def test_a_checkin_dry_run_writes_nothing(acme: Database) -> None:
    result = checkins(acme, CHECKINS_HEADER + "Acme,2026-01-05,U0ANN,hi,holds,\n", dry_run=True)
    assert result == CheckInImport(added=1, skipped=0, customers_updated=1, dry_run=True)
    assert stored_checkins(acme) == []
    assert stored_customers(acme)[0].last_checkin_on is None


STATE_FIELDS = (
    "last_checkin_on",
    "last_checkin_by",
    "last_verdict",
    "last_verdict_on",
    "last_verdict_by",
    "reason_confirmed_on",
    "current_reason",
    "current_reason_on",
    "last_expectation",
    "last_expectation_on",
    "last_changes",
    "last_changes_on",
    "concern_on",
    "next_step",
    "next_step_due",
    "next_step_on",
)


def test_checkins_in_any_order_and_any_batches_give_the_same_state(db: Database) -> None:
    customers(db, "name,owner\nIn order,U0ANN\nShuffled,U0ANN\n")
    rng = random.Random(7)
    rows = [
        f"2026-{month:02d}-{day:02d},U0ANN,call {month}-{day},"
        f"{rng.choice(['holds', 'weakened', 'changed', ''])},{rng.choice(['above', 'below', ''])},"
        f"reason {month}-{day},{rng.choice(['', 'reorg', 'growth'])},step {month}-{day},2026-{month:02d}-28\n"
        for month in range(1, 7)
        for day in (3, 17)
    ]
    header = "customer,date,author,note,verdict,expectation,new_reason,changes,next_step,next_step_due\n"
    checkins(db, header + "".join(f"In order,{row}" for row in rows))
    rng.shuffle(rows)
    checkins(db, header + "".join(f"Shuffled,{row}" for row in rows[:5]))
    checkins(db, header + "".join(f"Shuffled,{row}" for row in rows[5:]))
    in_order, shuffled = stored_customers(db)
    assert in_order.last_checkin_on == date(2026, 6, 17)
    assert {f: getattr(shuffled, f) for f in STATE_FIELDS} == {f: getattr(in_order, f) for f in STATE_FIELDS}


def test_email_authors_are_looked_up(acme: Database, slack_users: EmailResolver) -> None:
    checkins(acme, CHECKINS_HEADER + "Acme,2026-01-05,bob@example.com,hi,,\n", resolve=slack_users)
    assert [c.author_user_id for c in stored_checkins(acme)] == ["U0BOB"]
