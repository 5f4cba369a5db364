"""What every job that claims rows before calling out has in common: the digest (`bot.nudge_job`),
the owner notices (`bot.notice_job`), the team digest (`bot.team_digest_job`) and the CRM notes
(`bot.crm_job`). Each module's docstring tells its own claim protocol."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from datetime import timedelta

from bot.services import Services


def runner_name() -> str:
    """Who holds a claim: host, process and a random part (two jobs in one process differ)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ClaimingJob:
    """A job for one process: who claims (`runner`), for how long a claim holds (`lease`), how many
    tries a row gets (`max_attempts`), and `stop`, which lets the call in flight finish and claims
    no more (the next run, or another process, picks up the rest)."""

    def __init__(
        self, services: Services, *, runner: str | None, lease: timedelta, max_attempts: int
    ) -> None:
        self.services = services
        self.runner = runner or runner_name()
        self.lease = lease
        self.max_attempts = max_attempts
        self._stopping = threading.Event()

    def stop(self) -> None:
        """Finish what is being sent and claim no more."""
        self._stopping.set()
