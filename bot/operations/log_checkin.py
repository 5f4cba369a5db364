"""Log a check-in: from the form, typed as `/checkin <customer>: <note>`, or as a one-tap answer to
the reason question (the digest's holds / weakened / changed); at most once per request.

A request's `key` (the Slack request that stores it) is stored with the check-in: a retry of the
request, on any thread or machine, gets the check-in already stored back and stores nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from bot.crm import note_source
from bot.operations.actor import Actor
from bot.rules.forms import CheckinDraft, checkin_mistakes, new_reason_mistake
from bot.rules.limits import clean_text
from bot.rules.nudges import reason_text
from bot.rules.themes import NOT_LISTED, parse_themes
from bot.rules.vocabulary import Verdict
from bot.services import Services
from storage.checkins import add_checkin, checkin_by_request_key
from storage.crm import add_crm_note
from storage.customers import customer_by_id
from storage.models import CheckIn, Customer, NoticeKind, OwnerNotice
from storage.notices import add_notice


class CustomerGone(LookupError):
    """The customer was deleted between choosing and saving."""


@dataclass(frozen=True)
class Logged:
    """The check-in stored (or stored before, by a retry), its customer's name, reason and owner now,
    and the actor's `today`."""

    checkin: CheckIn
    customer_name: str
    reason: str | None
    today: date
    owner_user_id: str


@dataclass(frozen=True)
class NotLogged:
    """Nothing stored: field name → what to fix."""

    mistakes: dict[str, str]


def log_checkin(
    services: Services, actor: Actor, draft: CheckinDraft, *, key: str, new_reason_theme: str | None = None
) -> Logged | NotLogged:
    """Store the check-in filled in on the form, by the actor (`new_reason_theme`: the theme chosen for
    the new reason, kept only with one)."""
    today = actor.today(services.clock())
    mistakes = checkin_mistakes(draft, today=today)
    theme = _new_theme(services, draft.verdict, draft.new_reason, new_reason_theme, mistakes)
    if mistakes:
        return NotLogged(mistakes)
    assert draft.customer_id is not None
    assert draft.occurred_on is not None
    checkin = CheckIn(
        team_id=actor.team_id,
        customer_id=draft.customer_id,
        occurred_on=draft.occurred_on,
        author_user_id=actor.user_id,
        spoke_with=draft.spoke_with or None,
        note=draft.note,
        verdict=draft.verdict,
        new_reason=draft.new_reason or None,
        new_reason_theme=theme,
        expectation=draft.expectation,
        changes=list(draft.changes),
        next_step=draft.next_step or None,
        next_step_due=draft.next_step_due if draft.next_step else None,
    )
    return _logged(services, checkin, key=key, today=today)


def log_typed(
    services: Services,
    actor: Actor,
    *,
    customer_id: int,
    note: str,
    verdict: Verdict | None,
    typed_on: date,
    key: str,
) -> Logged | NotLogged:
    """Store a check-in typed as one line, dated the day it was typed, held to the form's limits.

    A `#changed` tag carries no new reason: the reason question follows the reply instead.
    """
    today = actor.today(services.clock())
    draft = CheckinDraft(customer_id=customer_id, occurred_on=typed_on, note=clean_text(note))
    mistakes = checkin_mistakes(draft, today=today)
    if mistakes:
        return NotLogged(mistakes)
    checkin = CheckIn(
        team_id=actor.team_id,
        customer_id=customer_id,
        occurred_on=typed_on,
        author_user_id=actor.user_id,
        note=draft.note,
        verdict=verdict or Verdict.NOT_ASKED,
    )
    return _logged(services, checkin, key=key, today=today)


def log_answer(
    services: Services,
    actor: Actor,
    *,
    customer_id: int,
    verdict: Verdict,
    new_reason: str | None = None,
    new_reason_theme: str | None = None,
    key: str,
) -> Logged | NotLogged:
    """Store the actor's answer to "does their reason still hold?" as a check-in dated their today.

    A changed reason needs the new one (and may have its theme); a retry or a second tap with the same
    `key` stores nothing more and gets the first answer back.
    """
    today = actor.today(services.clock())
    reason = clean_text(new_reason or "").strip() if verdict == Verdict.CHANGED else ""
    mistake = new_reason_mistake(reason) if verdict == Verdict.CHANGED else None
    mistakes = {"new_reason": mistake} if mistake else {}
    theme = _new_theme(services, verdict, reason, new_reason_theme, mistakes)
    if mistakes:
        return NotLogged(mistakes)
    checkin = CheckIn(
        team_id=actor.team_id,
        customer_id=customer_id,
        occurred_on=today,
        author_user_id=actor.user_id,
        verdict=verdict,
        new_reason=reason or None,
        new_reason_theme=theme,
    )
    return _logged(services, checkin, key=key, today=today)


def _new_theme(
    services: Services, verdict: Verdict, reason: str, theme: str | None, mistakes: dict[str, str]
) -> str | None:
    """The theme to store with a check-in's new reason (None without one); a theme the configured list
    does not have is a mistake (`new_reason_theme`)."""
    if verdict != Verdict.CHANGED or not reason.strip():
        return None
    if not parse_themes(services.settings.reason_themes).allows(theme):
        mistakes["new_reason_theme"] = NOT_LISTED
    return theme


def _logged(services: Services, checkin: CheckIn, *, key: str, today: date) -> Logged:
    stored, customer = _save_once(services, checkin, key=key)
    return Logged(stored, customer.name, reason_text(customer), today, customer.owner_user_id)


def _notice(checkin: CheckIn, customer: Customer, author: str) -> OwnerNotice:
    """What the owner is told of a check-in someone else logged on their customer."""
    return OwnerNotice(
        team_id=checkin.team_id,
        owner_user_id=customer.owner_user_id,
        customer_id=checkin.customer_id,
        checkin_id=checkin.id,
        actor_user_id=author,
        kind=NoticeKind.CHECKIN,
        verdict=checkin.verdict,
        new_reason=checkin.new_reason,
        changes=list(checkin.changes),
        note=checkin.note,
    )


def _save_once(services: Services, checkin: CheckIn, *, key: str) -> tuple[CheckIn, Customer]:
    """Store `checkin` under request `key`; a retry of the same request gets the stored one back.

    A check-in by someone other than the customer's owner adds, in the same transaction, a notice
    for the owner (sent by `bot.notice_job`); one on a customer synced from a CRM, a note to write
    there."""
    team_id, customer_id = checkin.team_id, checkin.customer_id
    checkin.request_key = key
    try:
        with services.database.transaction() as session:
            existing = checkin_by_request_key(team_id, key, session=session)
            customer = customer_by_id(
                team_id, existing.customer_id if existing else customer_id, session=session
            )
            if customer is None:
                raise CustomerGone(customer_id)
            if existing is not None:
                return existing, customer
            now = services.clock()
            add_checkin(checkin, customer=customer, session=session, now=now)
            session.flush()
            author = checkin.author_user_id
            if author is not None and author != customer.owner_user_id:
                add_notice(_notice(checkin, customer, author), now=now, session=session)
            crm = note_source(services.settings, customer)
            if crm is not None:  # written to the CRM by `bot.crm_job`
                add_crm_note(checkin, crm, now=now, session=session)
            return checkin, customer
    except IntegrityError:
        # The same request committed first on another thread or machine: answer with its row.
        with services.database.session() as session:
            stored = checkin_by_request_key(team_id, key, session=session)
            if stored is None:
                raise
            customer = customer_by_id(team_id, stored.customer_id, session=session)
            if customer is None:
                raise CustomerGone(customer_id) from None
            return stored, customer
