"""Finding the customer someone typed: exact name, else (to read a card or open a form) the only one
containing it, else close names to choose from. Used inside the operations that read a name."""

from __future__ import annotations

from dataclasses import dataclass

from bot.operations.actor import Actor
from bot.rules.checkin_line import CheckinLine, checkin_readings, named_reading
from bot.rules.facts import CardFacts
from bot.rules.limits import MAX_QUERY
from bot.rules.matching import close_matches
from bot.rules.names import name_key
from bot.services import Services
from storage.customers import LIKE_FRAGMENTS, customer_by_name, customers_containing, customers_like_any
from storage.fast_read import Reader

CANDIDATES = 500


@dataclass(frozen=True)
class Found:
    """The customer, or up to five close names to offer; `too_long` when the text cannot be a name."""

    customer: CardFacts | None
    suggestions: tuple[tuple[int, str], ...] = ()
    too_long: bool = False


def _fragments(key: str) -> list[str]:
    """What a name close to the query `key` likely shares with it, for a bounded pool to rank by
    spelling: the start of each word and, in case a typo is there, the end of each longer word."""
    pieces: list[str] = []
    for word in key.split():
        if len(word) >= 2:
            pieces.append(word[:3])
        if len(word) >= 4:
            pieces.append(word[-3:])
    return list(dict.fromkeys(pieces))[:LIKE_FRAGMENTS]


def find_customer(team_id: str, query: str, *, reader: Reader, partial: bool = True) -> Found:
    """The customer named `query` (as people read names: see `name_key`), or with `partial` the only
    one whose name contains it; otherwise close names. A query longer than `MAX_QUERY` searches nothing.
    """
    if len(" ".join(query.split())) > MAX_QUERY:
        return Found(None, too_long=True)
    key = name_key(query)
    if not key:
        return Found(None)
    exact = customer_by_name(team_id, query, reader=reader)
    if exact is not None:
        return Found(exact)
    containing = customers_containing(team_id, query, reader=reader, limit=6)
    if partial and len(containing) == 1 and len(key) >= 2:
        return Found(containing[0])
    pool = [(c.id, c.name) for c in containing if c.id is not None]
    if not pool:
        pool = customers_like_any(team_id, _fragments(key), reader=reader, limit=CANDIDATES)
    suggestions = close_matches(query, pool, lambda pair: pair[1])
    return Found(None, tuple(suggestions))


def find_checkin_customer(team_id: str, text: str, *, reader: Reader) -> tuple[CheckinLine, Found]:
    """How to read a `/checkin` line, and its customer.

    The customer is the longest part before a colon that is exactly a customer's name, so a name may
    hold a colon. With none, the part before the first colon is looked up: with a note (a log) only
    close names are offered, never a guess; without one (the form opens) the only name containing it
    is taken, since the form shows it before anything is stored.
    """
    readings = checkin_readings(text)
    first = readings[-1]
    if len(first.customer) > MAX_QUERY:
        return first, Found(None, too_long=True)
    named = named_reading(readings, lambda name: customer_by_name(team_id, name, reader=reader))
    if named is not None:
        return named[0], Found(named[1])
    return first, find_customer(team_id, first.customer, reader=reader, partial=not first.logs_now)


def customer_for_line(services: Services, actor: Actor, text: str) -> tuple[CheckinLine, Found]:
    """How to read the `/checkin` line `text` in the actor's workspace, and its customer."""
    with services.database.reader() as reader:
        return find_checkin_customer(actor.team_id, text, reader=reader)
