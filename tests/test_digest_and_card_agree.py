"""The digest and the card read one rule: a customer the digest calls overdue is never Healthy, and back."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.rules.health import HealthLevel, health
from bot.rules.nudges import NudgeKind, due_kinds, is_resting
from bot.rules.policy import Policy
from bot.rules.vocabulary import Verdict
from tests.factories import customer

TODAY = date(2026, 6, 10)
CONTACT = {NudgeKind.OVERDUE, NudgeKind.NEVER_CHECKED_IN}

offsets = st.one_of(st.none(), st.integers(min_value=-400, max_value=400))
policies = st.builds(
    Policy,
    cadence_days=st.integers(1, 90),
    key_cadence_days=st.integers(1, 60),
    renewal_window_days=st.integers(0, 200),
    reason_confirmed_days=st.integers(0, 120),
    follow_up_days=st.integers(0, 30),
)


def day(offset: int | None) -> date | None:
    return None if offset is None else TODAY + timedelta(days=offset)


def past(offset: int | None) -> date | None:
    return None if offset is None else day(-abs(offset))


@given(
    last=offsets,
    since=offsets,
    renewal=offsets,
    confirmed=offsets,
    cadence=st.one_of(st.none(), st.integers(1, 120)),
    snoozed=offsets,
    active=st.booleans(),
    is_key=st.booleans(),
    policy=policies,
)
def test_overdue_and_stale_contact_are_one_decision(
    last, since, renewal, confirmed, cadence, snoozed, active, is_key, policy
):
    facts = customer(
        last_checkin_on=past(last),
        customer_since=past(since),
        renewal_date=day(renewal),
        reason_confirmed_on=past(confirmed),
        last_verdict=Verdict.HOLDS if confirmed is not None else None,
        last_verdict_on=past(confirmed),
        cadence_days=cadence,
        snoozed_until=day(snoozed),
        active=active,
    )
    kinds = set(due_kinds(facts, today=TODAY, policy=policy, is_key=is_key))
    state = health(facts, today=TODAY, policy=policy, is_key=is_key)
    sentences = " ".join(signal.sentence for signal in state.signals)
    stale = "Stale contact" in sentences or "No check-in logged yet" in sentences
    renewal_unconfirmed = "reason is not confirmed" in sentences

    if kinds & CONTACT or NudgeKind.RENEWAL_UNCONFIRMED in kinds:
        assert state.level != HealthLevel.HEALTHY
    assert bool(kinds & CONTACT) == (stale and not is_resting(facts, TODAY))
    assert (NudgeKind.RENEWAL_UNCONFIRMED in kinds) == (renewal_unconfirmed and not is_resting(facts, TODAY))


def test_a_check_in_exactly_one_cadence_ago_is_due_and_not_healthy() -> None:
    facts = customer(last_checkin_on=TODAY - timedelta(days=30))
    assert NudgeKind.OVERDUE in due_kinds(facts, today=TODAY, policy=Policy(), is_key=False)
    assert health(facts, today=TODAY, policy=Policy(), is_key=False).level == HealthLevel.WATCH
