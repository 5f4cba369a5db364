"""The owner-notice DM's words and shape: what happened, escaped, within Block Kit's limits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.vocabulary import Change, Verdict
from handlers.views.common import MAX_MESSAGE_BLOCKS
from handlers.views.notices import MAX_SHOWN, notice_ids_of, notice_message, what_happened


@dataclass(frozen=True)
class Notice:
    id: int
    customer_name: str = "Acme"
    actor_user_id: str = "U2"
    verdict: Verdict = Verdict.NOT_ASKED
    new_reason: str | None = None
    changes: Sequence[Change] = ()
    note: str = ""


@pytest.mark.parametrize(
    ("verdict", "new_reason", "changes", "words"),
    [
        (Verdict.NOT_ASKED, None, (), "logged a check-in"),
        (Verdict.HOLDS, None, (), "logged a check-in (reason holds)"),
        (Verdict.WEAKENED, None, (), "recorded that the reason weakened"),
        (Verdict.CHANGED, None, (), "recorded that the reason changed"),
        (
            Verdict.CHANGED,
            "Cost <b> & more",
            (),
            "recorded that the reason changed: their reason is now 'Cost &lt;b&gt; &amp; more'",
        ),
        (
            Verdict.NOT_ASKED,
            None,
            (Change.CHAMPION_LEFT,),
            "logged a check-in; reported a change at the customer: champion left",
        ),
        (
            Verdict.WEAKENED,
            None,
            (Change.BUDGET_CUT, Change.MERGER),
            "recorded that the reason weakened; reported changes at the customer: budget cut, "
            "merger or acquisition",
        ),
    ],
)
def test_what_happened(
    verdict: Verdict, new_reason: str | None, changes: tuple[Change, ...], words: str
) -> None:
    assert what_happened(verdict, new_reason, changes) == words


def test_a_long_new_reason_is_shortened() -> None:
    words = what_happened(Verdict.CHANGED, "x" * 500, ())
    assert words.endswith("…'")
    assert len(words) < 220


def test_many_notices_fit_one_message_and_the_rest_are_counted() -> None:
    many = [Notice(i, customer_name=f"Customer {i}") for i in range(1, MAX_SHOWN + 6)]
    message = notice_message("U1", many)
    blocks = [block.to_dict() for block in message.blocks]
    assert len(blocks) <= MAX_MESSAGE_BLOCKS
    assert [b["type"] for b in blocks].count("section") == MAX_SHOWN
    assert blocks[-2]["elements"][0]["text"] == "…and 5 more."
    assert message.text == f"{len(many)} updates from colleagues on your customers"
    assert notice_ids_of(message.metadata) == {n.id for n in many}
    assert message.metadata["event_payload"]["owner"] == "U1"


def test_a_backtick_in_the_name_does_not_break_the_card_hint() -> None:
    message = notice_message("U1", [Notice(1, customer_name="Ac`me")])
    assert message.blocks[-1].to_dict()["elements"][0]["text"] == "See the card: `/customer Ac'me`"


def test_an_actor_that_is_not_a_user_id_is_shown_not_mentioned() -> None:
    message = notice_message("U1", [Notice(1, actor_user_id="<!channel>")])
    assert message.blocks[0].to_dict()["text"]["text"].startswith("&lt;!channel&gt; on *Acme*")


@pytest.mark.parametrize(
    "metadata",
    [None, {}, {"event_type": "holdfast_digest", "event_payload": {"notice_ids": "1"}}, {"event_type": 1}],
)
def test_other_messages_carry_no_notices(metadata: object) -> None:
    assert notice_ids_of(metadata) == set()


@given(name=st.text(max_size=300), note=st.text(max_size=4000), reason=st.text(max_size=400))
def test_user_text_can_never_mention_anyone(name: str, note: str, reason: str) -> None:
    notice = Notice(1, customer_name=name, verdict=Verdict.CHANGED, new_reason=reason, note=note)
    message = notice_message("U1", [notice])
    sent = json.dumps([block.to_dict() for block in message.blocks]) + message.text
    assert sent.count("<") == sent.count("<@U2>")
    assert sent.count(">") - sent.count("\\n>") == sent.count("<@U2>")
