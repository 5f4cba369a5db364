"""The digest message and its terminal twin: structure, limits, escaping."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.rules.digest import DigestPlan, plan_owner
from bot.rules.policy import Policy
from bot.rules.vocabulary import Verdict
from handlers.ids import DIGEST_ACTIONS_BLOCK, DIGEST_CUSTOMER_BLOCK, LOG_CHECKIN_ACTION
from handlers.views.digest import MAX_BLOCKS, MAX_CUSTOMERS, answered_text, collapse_customer, digest_message
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


def test_each_customer_shows_name_reason_why_now_question_and_buttons() -> None:
    plan = make_plan(3)
    message = digest_message(plan, digest_id=42)
    blocks = [b.to_dict() for b in message.blocks]
    assert blocks[0]["type"] == "header"
    assert blocks[0]["text"]["text"] == "3 customers to talk to today"
    sections = [b for b in blocks if b.get("block_id", "").startswith(DIGEST_CUSTOMER_BLOCK)]
    actions = [b for b in blocks if b.get("block_id", "").startswith(DIGEST_ACTIONS_BLOCK)]
    assert len(sections) == len(actions) == 3
    text = sections[0]["text"]["text"]
    first = plan.items[0]
    assert text.startswith("*Customer 02*\n")  # most valuable first
    assert text.count("faster onboarding") == 1  # the reason, once
    assert "*Why they chose us:* 'faster onboarding'" in text
    assert f"*Why now:* {first.reasons[0].sentence}" in text
    assert f"*Ask:* {first.question}" in text
    customer_id = first.customer.id
    assert sections[0]["block_id"] == f"{DIGEST_CUSTOMER_BLOCK}:{customer_id}"
    labels = [e["text"]["text"] for e in actions[0]["elements"] if e["type"] == "button"]
    assert labels == ["Still holds", "Weakened", "Changed", "Log check-in", "Not my customer"]
    log = next(e for e in actions[0]["elements"] if e.get("action_id") == LOG_CHECKIN_ACTION)
    assert log["value"] == str(customer_id)
    assert message.metadata == {
        "event_type": "holdfast_digest",
        "event_payload": {"digest_id": 42, "owner": "U1", "day": "2026-06-10"},
    }
    assert message.text == "Holdfast: 3 customers to talk to today: Customer 02, Customer 01, Customer 00."
    assert "/checkin" in blocks[-1]["elements"][0]["text"]


def visible(mrkdwn: str) -> str:
    """What a person reads of an entry: the text without its markup."""
    return readable(mrkdwn).replace("*", "").replace("_", "")


def test_a_row_with_every_reason_due_says_one_why_now_and_fits_in_about_200_characters() -> None:
    plan = make_plan(
        1,
        original_reason="Faster onboarding for new depots",
        renewal_date=TODAY + timedelta(days=40),
        next_step="Send the consolidation roadmap",
        next_step_due=TODAY - timedelta(days=3),
        last_verdict=Verdict.WEAKENED,
        last_verdict_on=TODAY - timedelta(days=40),
        concern_on=TODAY - timedelta(days=40),
    )
    [item] = plan.items
    assert len(item.reasons) > 1
    [section] = [
        b.to_dict()["text"]["text"]
        for b in digest_message(plan).blocks
        if (b.block_id or "").startswith(DIGEST_CUSTOMER_BLOCK)
    ]
    others = item.reasons[1:]
    assert f"(+{len(others)} more on the card)" in section
    assert all(reason.sentence not in section for reason in others)
    assert section.count("Faster onboarding") == 1
    assert len(visible(section)) <= 220, visible(section)


def test_an_answered_entry_folds_into_one_line_and_the_header_counts_what_is_left() -> None:
    plan = make_plan(14)  # 10 shown, 4 more
    blocks = [b.to_dict() for b in digest_message(plan).blocks]
    first, second = plan.customer_ids[:2]
    after = collapse_customer(blocks, first, answered_text("Customer 13", Verdict.HOLDS, TODAY))
    assert after[0]["text"]["text"] == "13 customers to talk to today"
    assert f"{DIGEST_CUSTOMER_BLOCK}:{first}" not in [b.get("block_id") for b in after]
    [line] = [b for b in after if b.get("block_id") == f"{DIGEST_ACTIONS_BLOCK}:{first}"]
    assert line["type"] == "context"
    assert line["elements"][0]["text"] == "✓ *Customer 13* — the reason holds, 10 June"
    untouched = [b for b in blocks if str(b.get("block_id", "")).endswith(f":{second}")]
    assert untouched == [b for b in after if str(b.get("block_id", "")).endswith(f":{second}")]
    again = collapse_customer(after, first, "twice")  # folding an entry twice counts it once
    assert again[0]["text"]["text"] == "13 customers to talk to today"


def test_the_header_says_all_done_once_every_entry_is_answered() -> None:
    plan = make_plan(2)
    blocks = [b.to_dict() for b in digest_message(plan).blocks]
    for customer_id in plan.customer_ids:
        blocks = collapse_customer(blocks, customer_id, "done")
    assert blocks[0]["text"]["text"] == "All done for today ✓"
    assert not [b for b in blocks if b["type"] == "actions"]


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
    first = plan.items[0]
    assert lines[0] == "Digest for U1 on Wednesday 10 June: 12 customers to talk to today"
    assert lines[1] == " 1. Customer 11"
    assert lines[2] == "    Why they chose us: not recorded yet"
    assert lines[3] == f"    Why now: {first.reasons[0].sentence}"
    assert lines[4] == f"    Ask: {first.question}"
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
    entries = [lines[1 + n * 4 : 1 + (n + 1) * 4] for n in range(len(sections))]
    assert len(lines) == 1 + 4 * len(sections)
    for section, entry in zip(sections, entries, strict=True):
        slack = readable(section).replace("*", "").split("\n")
        number, _, name = entry[0].partition(". ")
        assert number.strip().isdigit()
        assert [name, *(line.strip() for line in entry[1:])] == slack


def test_new_customers_queued_for_the_coming_days_are_counted_last() -> None:
    # 14 never checked in: 3 asked today (largest first), 11 queued.
    plan = make_plan(14, last_checkin_on=None, customer_since=TODAY - timedelta(days=400))
    assert (len(plan.items), plan.more, plan.queued) == (3, 0, 11)
    blocks = [b.to_dict() for b in digest_message(plan).blocks]
    assert blocks[0]["text"]["text"] == "3 customers to talk to today"
    assert [b["elements"][0]["text"] for b in blocks[-2:]] == [
        "Log what you hear with `/checkin`; `/customer` lists all your customers.",
        ":seedling: 11 more new customers queued for the coming days, largest first.",
    ]
    lines = digest_lines(plan)
    assert lines[-1] == "    11 more new customers queued for the coming days, largest first."
    one = make_plan(4, last_checkin_on=None)
    assert digest_lines(one)[-1] == "    1 more new customer queued for the coming days, largest first."


def test_nothing_queued_says_nothing() -> None:
    plan = make_plan(14)
    assert plan.queued == 0
    assert "queued" not in str([b.to_dict() for b in digest_message(plan).blocks])
    assert not any("queued" in line for line in digest_lines(plan))


def test_the_largest_digest_with_new_customers_queued_still_fits() -> None:
    plan = make_plan(60, cap=60, next_step="x" * 5000, next_step_due=TODAY)
    plan = DigestPlan(plan.team_id, plan.owner_user_id, plan.local_day, plan.items, plan.more, queued=1000)
    blocks = digest_message(plan).blocks
    assert len(blocks) <= MAX_BLOCKS
    assert sum(b.to_dict()["type"] == "actions" for b in blocks) == MAX_CUSTOMERS
