"""A journey that waits for ops after a failure does not wait forever: after OpsWaitDays the hourly
watch ends it as ops' "end" would (the person's journey is CLOSED, a proposal returns both to the
pool), records who ended it and why, emails ops and counts OpsWaitExpired for the alarm. Ops'
link answers "already decided" afterwards."""

from __future__ import annotations

from datetime import timedelta

from backup.domain import emails
from backup.domain.errors import NoOpenStep
from backup.domain.kinds import RecordKind
from backup.domain.records import Record
from backup.domain.settings import Settings
from backup.domain.stages import Stage
from backup.usecases.letters import Letters
from backup.usecases.ops_commands import OpsCommands
from backup.usecases.ports import Clock, Metrics, Repository


class OpsWaits:
    def __init__(
        self,
        repository: Repository,
        ops: OpsCommands,
        letters: Letters,
        settings: Settings,
        now: Clock,
        metrics: Metrics,
    ):
        self.repository = repository
        self.ops = ops
        self.letters = letters
        self.settings = settings
        self.now = now
        self.metrics = metrics

    def expire(self) -> int:
        """End every wait for ops older than OpsWaitDays; how many were ended."""
        cutoff = self.now() - timedelta(days=self.settings.ops_wait_days)
        ended = 0
        for record in self._waiting_for_ops():
            link = self.repository.get_link(record.ops_link_id) if record.ops_link_id else None
            if link is None or not link.is_open or link.created_at > cutoff:
                continue
            by = f"the wait for ops ran out after {self.settings.ops_wait_days} days"
            try:
                self.ops.after_failure(record.kind, record.id, "end", by, "Ingen valgte at prøve igen eller afslutte.")
            except NoOpenStep:
                continue  # ops chose meanwhile
            self.metrics.count("OpsWaitExpired")
            kind_option = "" if record.kind is RecordKind.VOLUNTEER else f" --kind {record.kind.prefix}"
            self.letters.send(
                record.kind,
                record.id,
                emails.ops_wait_expired(
                    self.settings.ops_email,
                    record.id,
                    kind_option,
                    link.failed_state or "",
                    self.settings.ops_wait_days,
                ),
                "ops",
            )
            ended += 1
        return ended

    def _waiting_for_ops(self) -> list[Record]:
        found: list[Record] = []
        for stage in Stage:
            if stage.is_final:
                continue
            waiting = self.repository.waiting_in_stage(stage)
            for kind in (RecordKind.VOLUNTEER, RecordKind.YOUTH):
                ids = [w.id for w in waiting if w.kind is kind]
                found.extend(p for p in (self.repository.get_people(kind, ids) if ids else []) if p.needs_ops)
            found.extend(
                proposal
                for w in waiting
                if w.kind is RecordKind.MATCH
                for proposal in [self.repository.get_proposal(w.id)]
                if proposal.needs_ops
            )
        return found
