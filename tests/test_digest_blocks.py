"""The digest message and its terminal twin: structure, limits, escaping."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.rules.digest import DigestPlan, plan_owner
from bot.rules.policy import Policy
from handlers.ids import DIGEST_ACTIONS_BLOCK, DIGEST_CUSTOMER_BLOCK, LOG_CHECKIN_ACTION
from handlers.views.digest import MAX_BLOCKS, MAX_CUSTOMERS, digest_message
from handlers.views.digest_text import digest_lines
from handlers.views.terminal import readable
from tests.factories import customer

TODAY = date(2026, 6, 10)


def make_plan(count: int, cap: int = 10, **fields: Any) -> DigestPlan:
    values: dict[str, Any] = {
        "last_checkin_on": TODAY - timedelta(days=40),
        "original_reason": "faster onboarding",
    }
    values.update(fields)
    book = [customer(f"Customer {n:02}", arr=float(1000 + n), **values) for n in range(count)]
    plan = plan_owner(
        book, team_id="T0001", owner_user_id="U1", today=TODAY, policy=Policy(), key_ids=set(), cap=cap
    )
    assert plan is not None
    return plan


def test_each_customer_shows_name_reason_last_check_in_why_now_question_and_buttons() -> None:
    plan = make_plan(3)
    message = digest_message(plan, digest_id=42)
    blocks = [b.to_dict() for b in message.blocks]
    assert blocks[0]["type"] == "header"
    assert blocks[0]["text"]["text"] == "3 customers to talk to today"
    sections = [b for b in blocks if b.get("block_id", "").startswith(DIGEST_CUSTOMER_BLOCK)]
    actions = [b for b in blocks if b.get("block_id", "").startswith(DIGEST_ACTIONS_BLOCK)]
    assert len(sections) == len(actions) == 3
    text = sections[0]["text"]["text"]
    assert text.startswith("*Customer 02*\n")  # most valuable first
    assert "*Why they chose us:* 'faster onboarding'" in text
    assert "*Last check-in:* 1 May (40 days ago)" in text
    assert "*Why now:* Last check-in was 40 days ago, on 1 May; this account is due every 30 days." in text
    assert "*Ask:* Is 'faster onboarding' still the reason you work with us?" in text
    customer_id = plan.items[0].customer.id
    assert sections[0]["block_id"] == f"{DIGEST_CUSTOMER_BLOCK}:{customer_id}"
    assert actions[0]["elements"][0]["action_id"] == LOG_CHECKIN_ACTION
    assert actions[0]["elements"][0]["value"] == str(customer_id)
    assert message.metadata == {
        "event_type": "holdfast_digest",
        "event_payload": {"digest_id": 42, "owner": "U1", "day": "2026-06-10"},
    }
    assert message.text == "Holdfast: 3 customers to talk to today: Customer 02, Customer 01, Customer 00."
    assert "/checkin" in blocks[-1]["elements"][0]["text"]


def test_the_rest_are_counted() -> None:
    plan = make_plan(14)
    assert (len(plan.items), plan.more) == (10, 4)
    blocks = [b.to_dict() for b in digest_message(plan).blocks]
    assert blocks[0]["text"]["text"] == "14 customers to talk to today"
    assert blocks[-1]["elements"][0]["text"] == "and 4 more — `/customer` lists them all"
    assert digest_message(plan).text.endswith("and 4 more.")


def test_block_kit_limits_hold_for_the_largest_digest_and_longest_texts() -> None:
    long = "x" * 5000
    plan = make_plan(
        60,
        cap=60,
        original_reason=long,
        current_reason="y & " * 900,
        next_step=long,
        next_step_due=TODAY,
        renewal_date=TODAY + timedelta(days=3),
    )
    message = digest_message(plan)
    blocks = [b.to_dict() for b in message.blocks]
    assert len(blocks) <= MAX_BLOCKS
    assert sum(b.get("type") == "actions" for b in blocks) == MAX_CUSTOMERS
    assert blocks[-1]["elements"][0]["text"] == f"and {60 - MAX_CUSTOMERS} more — `/customer` lists them all"
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    assert len(message.text) <= 3000
    for kit_block in message.blocks:
        kit_block.validate_json()


def test_user_text_is_escaped() -> None:
    plan = make_plan(
        1,
        original_reason="<@U999> & <!here>",
        next_step="ping <!channel>",
        next_step_due=TODAY,
    )
    evil = customer("<!channel> Evil & Co", id=999, last_checkin_on=TODAY - timedelta(days=90))
    plan = DigestPlan(
        "T0001", "U1", TODAY, (plan.items[0], type(plan.items[0])(evil, plan.items[0].reasons, True))
    )
    message = digest_message(plan)
    rendered = str([b.to_dict() for b in message.blocks]) + message.text
    assert "<!" not in rendered
    assert "<@U999>" not in rendered
    assert "&lt;!channel&gt; Evil &amp; Co" in rendered
    assert "'&lt;@U999&gt; &amp; &lt;!here&gt;'" in rendered
    assert "key account" in rendered


def test_digest_lines_for_the_terminal() -> None:
    plan = make_plan(12, original_reason=None)
    lines = digest_lines(plan)
    assert lines[0] == "Digest for U1 on Wednesday 10 June: 12 customers to talk to today"
    assert lines[1] == " 1. Customer 11"
    assert lines[2] == "    Why they chose us: not recorded yet"
    assert lines[3] == "    Last check-in: 1 May (40 days ago)"
    assert lines[4].startswith("    Why now: Last check-in was 40 days ago")
    assert lines[5] == "    Ask: Why did you choose us — and is that still what you need from us?"
    assert lines[-1] == "    and 2 more — `/customer` lists them all"
    assert digest_lines(plan, owner_label="Ana (U1)")[0].startswith("Digest for Ana (U1) on")


def test_the_terminal_digest_says_what_the_slack_digest_says() -> None:
    plan = make_plan(3, original_reason="fast & <cheap> onboarding")
    sections = [
        block.to_dict()["text"]["text"]
        for block in digest_message(plan).blocks
        if (block.block_id or "").startswith(DIGEST_CUSTOMER_BLOCK)
    ]
    lines = digest_lines(plan)
    entries = [lines[1 + n * 5 : 1 + (n + 1) * 5] for n in range(len(sections))]
    assert len(lines) == 1 + 5 * len(sections)
    for section, entry in zip(sections, entries, strict=True):
        slack = readable(section).replace("*", "").split("\n")
        number, _, name = entry[0].partition(". ")
        assert number.strip().isdigit()
        assert [name, *(line.strip() for line in entry[1:])] == slack
