"""The access check never holds up the ack: last good answers, background refreshes, no cached failures."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from bot.lookup_cache import LastGood, Memo
from handlers.access import UNCHECKED
from storage.db import Database
from tests.live_app import NOW, LiveApp, all_text, reply, serve_app
from tests.nudge_helpers import Clock
from tests.slack_stub import Call, SlackStub, rate_limited

FRESH = timedelta(minutes=5)
STALE = timedelta(minutes=30)


class Deferred:
    """Background work held until the test runs it (a `spawn` for `LastGood`)."""

    def __init__(self) -> None:
        self.work: list[Callable[[], None]] = []

    def __call__(self, work: Callable[[], None]) -> None:
        self.work.append(work)

    def run_all(self) -> None:
        work, self.work = self.work, []
        for item in work:
            item()


class Loads:
    """A load function that answers from a script and counts its calls."""

    def __init__(self, *answers: str | Exception) -> None:
        self.answers = list(answers)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def cache(clock: Clock, spawn: Deferred, wait: float = 0.0) -> LastGood:
    return LastGood(fresh=FRESH, stale=STALE, wait=wait, clock=clock, spawn=spawn)


# -- the cache ---------------------------------------------------------------------------------


def test_a_fresh_answer_is_served_without_asking_again() -> None:
    clock, spawn = Clock(NOW), Deferred()
    answers = cache(clock, spawn)
    load = Loads("member")
    with pytest.raises(TimeoutError):
        answers.get("U1", load)  # nothing known yet, and the load has not run
    spawn.run_all()
    clock.advance(minutes=4)
    assert answers.get("U1", load) == "member"
    assert (load.calls, spawn.work) == (1, [])


def test_a_stale_answer_is_served_at_once_while_one_refresh_runs() -> None:
    clock, spawn = Clock(NOW), Deferred()
    answers = cache(clock, spawn)
    load = Loads("member", "guest")
    with pytest.raises(TimeoutError):
        answers.get("U1", load)
    spawn.run_all()
    clock.advance(minutes=6)
    assert answers.get("U1", load) == "member"
    assert answers.get("U1", load) == "member"
    assert len(spawn.work) == 1  # one refresh in flight per key
    spawn.run_all()
    assert answers.get("U1", load) == "guest"
    assert load.calls == 2


def test_an_answer_older_than_the_staleness_bound_is_not_served() -> None:
    clock, spawn = Clock(NOW), Deferred()
    answers = cache(clock, spawn)
    load = Loads("member", "guest")
    with pytest.raises(TimeoutError):
        answers.get("U1", load)
    spawn.run_all()
    clock.advance(minutes=31)
    with pytest.raises(TimeoutError):
        answers.get("U1", load)
    spawn.run_all()
    assert answers.get("U1", load) == "guest"


def test_a_failed_lookup_is_never_remembered() -> None:
    clock = Clock(NOW)
    answers = LastGood(fresh=FRESH, stale=STALE, wait=5.0, clock=clock, spawn=lambda work: work())
    load = Loads(RuntimeError("ratelimited"), "member", RuntimeError("ratelimited"), "guest")
    with pytest.raises(RuntimeError):
        answers.get("U1", load)
    assert answers.get("U1", load) == "member"  # asked again, not refused from a cached failure
    clock.advance(minutes=6)
    assert answers.get("U1", load) == "member"  # its refresh failed: the last good answer stays
    assert answers.get("U1", load) == "member"  # served while the next refresh asks again...
    assert answers.get("U1", load) == "guest"  # ...and that one's answer is kept
    assert load.calls == 4


def test_a_memo_asks_once_but_forgets_a_failure() -> None:
    memo = Memo()
    load = Loads(RuntimeError("timeout"), "member")
    with pytest.raises(RuntimeError):
        memo.get("U1", load)
    assert memo.get("U1", load) == "member"
    assert memo.get("U1", load) == "member"
    assert load.calls == 2


# -- the app -----------------------------------------------------------------------------------


class Held:
    """A users.info answer held back until the test lets it go (a slow Slack, without sleeping)."""

    def __init__(self, slack: SlackStub, user_id: str) -> None:
        self.slack, self.user_id = slack, user_id
        self.release = threading.Event()
        self.answered = threading.Event()

    def __call__(self, call: Call) -> dict[str, object] | None:
        if call.args.get("user") != self.user_id:
            return None
        self.release.wait(timeout=10)
        self.answered.set()
        return self.slack.answer_default(call)


def card_title(response: httpx.Response) -> str:
    return str(reply(response)["blocks"][0]["text"]["text"])


def ask(live: LiveApp, user_id: str) -> httpx.Response:
    return live.command("/customer", "Acme", user_id=user_id)


def test_a_known_user_is_answered_while_slack_is_slow_to_refresh_them(db: Database, slack: SlackStub) -> None:
    clock = Clock(NOW)
    with serve_app(db, slack, clock=clock) as live:
        live.add_customer("Acme")
        assert card_title(ask(live, "U1")) == "Acme"
        clock.advance(minutes=6)  # due for a refresh
        held = Held(slack, "U1")
        slack.on("users.info", held)
        try:
            assert card_title(ask(live, "U1")) == "Acme"
            assert len(slack.wait_for("users.info", 2)) == 2  # the refresh is asking Slack...
            assert not held.answered.is_set()  # ...and Slack has not answered yet
        finally:
            held.release.set()


def test_a_rate_limited_lookup_asks_to_try_again_and_is_not_cached(live: LiveApp) -> None:
    live.add_customer("Acme", original_reason="Secret sauce")
    live.slack.add_user("U7")
    answers = iter([rate_limited(30)])
    live.slack.on("users.info", lambda call: next(answers, None))
    first = reply(ask(live, "U7"))
    assert first == {"response_type": "ephemeral", "text": UNCHECKED}
    assert "Secret" not in all_text(first)
    assert len(live.slack.calls_to("users.info")) == 1  # no Retry-After wait, no retry
    assert card_title(ask(live, "U7")) == "Acme"  # the failure was not remembered as a refusal


def test_an_unknown_user_slack_is_slow_on_hears_try_again_then_gets_in(live: LiveApp) -> None:
    live.add_customer("Acme")
    live.slack.add_user("U7")
    held = Held(live.slack, "U7")
    live.slack.on("users.info", held)
    try:
        assert reply(ask(live, "U7"))["text"] == UNCHECKED
    finally:
        held.release.set()
    # The lookup went on after the answer; its result lets them in without asking Slack again.
    assert card_title(ask(live, "U7")) == "Acme"
    assert [call.args["user"] for call in live.slack.calls_to("users.info")] == ["U7"]
