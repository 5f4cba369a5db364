"""The daily digest as plain text lines, for the terminal (`holdfast nudge --dry-run`, `holdfast demo`).

The words are the Slack digest's own (`handlers.views.digest`). Plain text: nothing is escaped for
Slack, and nothing is marked up for Rich (print with `markup=False`, or through `rich.text.Text`,
if a name may contain brackets).
"""

from __future__ import annotations

from bot.rules.digest import DigestPlan
from bot.rules.wording import day_label
from handlers.views.digest import entry_lines, header_text, key_mark, more_text, queued_text, shown_items


def digest_lines(plan: DigestPlan, *, owner_label: str | None = None) -> list[str]:
    """The digest `plan` as the Slack message reads it, one line per entry."""
    who = owner_label or plan.owner_user_id
    day = plan.local_day
    items, more = shown_items(plan)
    lines = [f"Digest for {who} on {day:%A} {day_label(day, day)}: {header_text(plan)}"]
    for number, item in enumerate(items, start=1):
        lines.append(f"{number:>2}. {item.customer.name}{key_mark(item)}")
        lines.extend(f"    {line.label}: {' '.join(line.words)}" for line in entry_lines(item, day))
    if more:
        lines.append(f"    {more_text(more)}")
    if plan.queued:
        lines.append(f"    {queued_text(plan.queued)}")
    return lines
