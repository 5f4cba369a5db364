"""Record whether a customer's reason still holds, answered under a logged check-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.operations.actor import Actor
from bot.rules.nudges import reason_text
from bot.rules.themes import parse_themes
from bot.rules.vocabulary import Verdict
from bot.services import Services
from storage.checkins import checkin_by_id
from storage.checkins import record_verdict as store_verdict
from storage.customers import customer_by_id
from storage.models import CheckIn, Customer, NoticeKind, OwnerNotice
from storage.notices import add_notice, fold_verdict


@dataclass(frozen=True)
class Question:
    """The customer a check-in was with, and their reason as it stands (asked about)."""

    customer_name: str
    reason: str | None


@dataclass(frozen=True)
class Recorded:
    """The verdict recorded for the customer, with the reason it is about (the new one, if changed)."""

    customer_name: str
    verdict: Verdict
    reason: str | None


def question(services: Services, actor: Actor, checkin_id: int) -> Question | None:
    """What the new-reason form asks about; None when the check-in or its customer is gone."""
    with services.database.session() as session:
        checkin = checkin_by_id(actor.team_id, checkin_id, session=session)
        customer = customer_by_id(actor.team_id, checkin.customer_id, session=session) if checkin else None
    return None if customer is None else Question(customer.name, reason_text(customer))


def record_verdict(
    services: Services,
    actor: Actor,
    checkin_id: int,
    verdict: Verdict,
    new_reason: str | None = None,
    new_reason_theme: str | None = None,
) -> Recorded | None:
    """Set the check-in's verdict (a changed one with the new reason and its theme; a theme the
    configured list does not have is not set) and fold it into its customer; None when the check-in is
    gone.

    Recorded by someone other than the owner, it reaches the owner (`bot.notice_job`): in the
    check-in's notice while that is still waiting, else as a notice of its own when the reason
    weakened or changed. The same answer again tells nothing more."""
    with services.database.transaction() as session:
        checkin = checkin_by_id(actor.team_id, checkin_id, session=session)
        customer = customer_by_id(actor.team_id, checkin.customer_id, session=session) if checkin else None
        if checkin is None or customer is None:
            return None
        before = reason_text(customer)
        answered = (checkin.verdict, checkin.new_reason)
        now = services.clock()
        theme = (
            new_reason_theme
            if parse_themes(services.settings.reason_themes).allows(new_reason_theme)
            else None
        )
        store_verdict(
            checkin,
            verdict,
            customer=customer,
            session=session,
            new_reason=new_reason,
            new_reason_theme=theme,
            now=now,
        )
        if actor.user_id != customer.owner_user_id and (checkin.verdict, checkin.new_reason) != answered:
            _tell_owner(checkin, customer, actor.user_id, now=now, session=session)
        shown = new_reason if verdict == Verdict.CHANGED else before
        return Recorded(customer.name, verdict, shown)


def _tell_owner(checkin: CheckIn, customer: Customer, actor: str, *, now: datetime, session: Session) -> None:
    assert checkin.id is not None  # a stored check-in
    folded = fold_verdict(checkin.id, actor, checkin.verdict, checkin.new_reason, session=session)
    if folded or checkin.verdict not in (Verdict.WEAKENED, Verdict.CHANGED):
        return
    notice = OwnerNotice(
        team_id=customer.team_id,
        owner_user_id=customer.owner_user_id,
        customer_id=checkin.customer_id,
        checkin_id=checkin.id,
        actor_user_id=actor,
        kind=NoticeKind.VERDICT,
        verdict=checkin.verdict,
        new_reason=checkin.new_reason,
    )
    add_notice(notice, now=now, session=session)
