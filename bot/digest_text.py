"""The daily digest as plain text lines, for the terminal (`holdfast nudge --dry-run`, `holdfast demo`).

Plain text: nothing is escaped for Slack, and nothing is marked up for Rich (print with
`markup=False`, or through `rich.text.Text`, if a name may contain brackets).
"""

from __future__ import annotations

from bot.rules.digest import DigestPlan
from bot.rules.nudges import why_chosen
from bot.rules.wording import day_label, days


def digest_lines(plan: DigestPlan, *, owner_label: str | None = None) -> list[str]:
    """The digest `plan` as the Slack message would read it, one line per entry."""
    who = owner_label or plan.owner_user_id
    count = f"{plan.total} customer" + ("" if plan.total == 1 else "s")
    lines = [f"Digest for {who} on {plan.local_day:%A} {day_label(plan.local_day, plan.local_day)}: {count}"]
    for number, item in enumerate(plan.items, start=1):
        customer = item.customer
        reason = why_chosen(customer)
        last = customer.last_checkin_on
        last_text = (
            "none yet"
            if last is None
            else f"{day_label(last, plan.local_day)} ({days((plan.local_day - last).days)} ago)"
        )
        lines.append(f"{number:>2}. {customer.name}" + ("  (key account)" if item.is_key else ""))
        lines.append(f"    Why they chose us: {reason or 'not recorded yet'}")
        lines.append(f"    Last check-in: {last_text}")
        lines.extend(f"    Why now: {r.sentence}" for r in item.reasons)
        lines.append(f"    Ask: {item.question}")
    if plan.more:
        lines.append(f"    and {plan.more} more — /customer")
    return lines
