"""People following emailed links: a consultant's decision, ops' choice after a failure, a
proposal's choice, introduction and answers. A link is used once (a conditional write records
who decided what, when, with which notes), then the waiting execution is resumed."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from backup.domain.errors import Conflict, StepNotWaiting
from backup.domain.evidence import Evidence
from backup.domain.history import Event, EventKind
from backup.domain.links import PEOPLES_INVALID, InvalidatedLink, Link, LinkKind, UsedLink, check_usable, for_staff
from backup.domain.match_choices import INTRO_HELD
from backup.domain.records import Record
from backup.domain.support import SUPPORT_LINKS, recorded_set
from backup.usecases.delivery import Deliverer
from backup.usecases.ports import Clock, Metrics, Repository
from backup.usecases.proposals import ProposalWaits, choice_output

# What each kind of link lets its holder choose, and the history event each choice leaves.
CHOICES: dict[LinkKind, dict[str, EventKind]] = {
    LinkKind.DECISION: {"approve": EventKind.APPROVED, "reject": EventKind.REJECTED},
    LinkKind.OPS: {"retry": EventKind.OPS_RETRIED, "end": EventKind.OPS_ENDED},
    LinkKind.RENEWAL: {"approve": EventKind.APPROVED, "reject": EventKind.REJECTED},
    # a match's support (backup.usecases.support)
    LinkKind.ROLES: {"recorded": EventKind.ROLES_AGREED},
    LinkKind.ROLES_CONFIRM: {"confirmed": EventKind.ROLES_CONFIRMED},
    LinkKind.CHECK_IN: {"recorded": EventKind.CHECK_IN, "close": EventKind.CLOSURE_REQUESTED},
    LinkKind.CLOSURE: {"close": EventKind.CLOSURE_RECORDED},
    LinkKind.CONCERN_DECISION: {d: EventKind.CONCERN_DECIDED for d in ("continue", "pause", "end")},
    LinkKind.PULSE: {answer: EventKind.PULSE_ANSWERED for answer in ("godt", "okay", "svaert")},
}
MATCH_EVENTS = {
    LinkKind.PROPOSAL: EventKind.PROPOSAL_DECIDED,
    LinkKind.INTRO: EventKind.INTRO_HELD,
    LinkKind.CONTINUE: EventKind.CONTINUE_ANSWERED,
}
MATCH_LINKS = frozenset(MATCH_EVENTS)
NOT_WAITING = {
    LinkKind.DECISION: "Trinnet ventede ikke længere på en afgørelse, så din afgørelse er ikke brugt. "
    "Programmets drift er orienteret.",
    LinkKind.OPS: "Trinnet ventede ikke længere på en afgørelse, så din afgørelse er ikke brugt. "
    "Programmets drift er orienteret.",
    LinkKind.RENEWAL: "Fornyelsen ventede ikke længere på en afgørelse, så din afgørelse er ikke brugt. "
    "Programmets drift er orienteret.",
    LinkKind.CHECK_IN: "Matchet venter ikke længere på denne opfølgning. Det, du skrev, er gemt på matchet.",
    LinkKind.ROLES: "Matchet venter ikke længere på rollefordelingen. Det, du skrev, er gemt på matchet.",
    LinkKind.CLOSURE: "Matchet venter ikke længere på afslutningen. Det, du skrev, er gemt på matchet.",
}
MATCH_NOT_WAITING = "Forslaget venter ikke længere på dette svar. Konsulenten er orienteret."


def decision_event(
    link: Link, decision: str, notes: str, details: dict[str, str], at: datetime, by: str | None = None
) -> Event:
    """The history event a link's decision leaves: who decided what, when, with which notes."""
    if link.kind in MATCH_LINKS:
        not_held = link.kind is LinkKind.INTRO and decision != INTRO_HELD
        return Event(
            at=at,
            kind=EventKind.INTRO_NOT_HELD if not_held else MATCH_EVENTS[link.kind],
            by=by or link.party or link.sent_to,
            notes=notes or None,
            details={"decision": decision, **details},
        )
    if decision not in CHOICES.get(link.kind, {}):
        raise ValueError(decision)
    return Event(
        at=at,
        kind=CHOICES[link.kind][decision],
        stage=link.stage,
        by=by or link.sent_to,
        notes=notes or None,
        details=details,
    )


def decision_evidence(
    link: Link, decision: str, at: datetime, details: dict[str, str], by: str | None = None
) -> dict[str, Evidence] | None:
    """What the decision leaves on the record, in the same write as the link's use: a step's
    evidence (what a transition checks later), or ops' choice after a failure. A rejection's
    internal reason stays in the history only."""
    evidence = Evidence(
        decision=decision,
        decided_by=by or link.sent_to,
        decided_at=at,
        link_id=link.link_id,
        fields={k: v for k, v in details.items() if k != "reason"},
    )
    if link.kind in {LinkKind.DECISION, LinkKind.RENEWAL} and link.stage is not None:
        return {f"evidence.{link.stage.value}": evidence}
    if link.kind is LinkKind.OPS:
        return {"ops_decision": evidence}
    if link.kind in SUPPORT_LINKS:  # a match's support: the roles, their confirmation, a check-in
        return recorded_set(link.kind, link.created_at, evidence, details.get("round_key", ""))
    return None


class LinkDecisions:
    def __init__(
        self, repository: Repository, deliverer: Deliverer, proposals: ProposalWaits, now: Clock, metrics: Metrics
    ):
        self.repository = repository
        self.deliverer = deliverer
        self.proposals = proposals
        self.now = now
        self.metrics = metrics

    def open(self, link_id: str) -> tuple[Link, Record]:
        """The link and the record it decides for, for its page; DeadLink if it cannot be used."""
        link = check_usable(self.repository.get_link(link_id), self.now())
        if link.kind is LinkKind.WITHDRAW:
            raise InvalidatedLink("Dette link bruges ikke til at afgøre et trin.", link)
        return link, self.repository.get_record(link.record_kind, link.record_id)

    def decide(self, link_id: str, decision: str, notes: str = "", details: dict[str, str] | None = None) -> Link:
        """Use the link once: record who decided what, then resume the waiting execution. Returns
        the link as decided; DeadLink if it could not be used (or the step waits no longer)."""
        at = self.now()
        link = check_usable(self.repository.get_link(link_id), at)
        event = decision_event(link, decision, notes, details or {}, at)
        try:
            self.repository.use_link_once(
                link, decision, link.sent_to, at, event, decision_evidence(link, decision, at, details or {})
            )
        except Conflict:
            # lost a race with another POST (or the link died meanwhile): say what happened
            check_usable(self.repository.get_link(link_id), at)
            raise UsedLink(
                "Der er allerede svaret på dette link." if link.kind in MATCH_LINKS else "Trinnet er allerede afgjort.",
                link,
            ) from None
        decided = link.model_copy(update={"decision": decision, "decided_by": link.sent_to, "decided_at": at})
        if link.kind is LinkKind.CONTINUE:
            delivered = self.proposals.answer(decided, decision)
        elif link.kind in {LinkKind.ROLES_CONFIRM, LinkKind.PULSE}:
            delivered = True  # kept on the match; no run waits on it
        elif link.kind in MATCH_LINKS:
            # ids and the outcome only: the reason and the date stay in the table, out of the history
            delivered = self.proposals.deliver(decided, choice_output(decision))
        else:
            delivered = self._deliver(decided)
        if not delivered:
            self.repository.add_event(
                link.record_kind,
                link.record_id,
                Event(
                    at=self.now(),
                    kind=EventKind.DECISION_UNDELIVERED,
                    stage=link.stage,
                    by=event.by,
                    details={"reason": "the step is over"},
                ),
            )
            said = MATCH_NOT_WAITING if for_staff(link) else PEOPLES_INVALID
            raise InvalidatedLink(NOT_WAITING.get(link.kind, said), link)
        self._count(decided, decision, at)
        return decided

    def _deliver(self, link: Link) -> bool:
        """Resume the person's waiting execution. If its token has just timed out for a reminder,
        the step waits again in a moment and picks the recorded decision up itself."""
        output: dict[str, Any] = (
            {"choice": link.decision, "link_id": link.link_id}
            if link.kind is LinkKind.OPS
            else {"outcome": link.decision, "link_id": link.link_id}
        )
        about = (link.record_kind, link.record_id)
        if link.task_token:
            with contextlib.suppress(StepNotWaiting):
                self.deliverer.resume_or_owe(about, link.task_token, output)
                return True
        if link.kind is LinkKind.OPS:  # ops' choice has no reminder loop: the token is the token
            return False
        newer = self.repository.get_link(link.link_id)
        if newer is not None and newer.task_token and newer.task_token != link.task_token:
            with contextlib.suppress(StepNotWaiting):
                self.deliverer.resume_or_owe(about, newer.task_token, output)
                return True
        return self.repository.get_record(link.record_kind, link.record_id).waits_on(link)

    def _count(self, link: Link, decision: str, at: datetime) -> None:
        if link.kind is LinkKind.OPS:
            # ops' link stays on the record: a journey ended by ops is closed against it
            self.repository.update(link.record_kind, link.record_id, set={"needs_ops": None})
            self.metrics.count(f"Ops{decision.title()}", link.stage)
        elif link.kind is LinkKind.DECISION and link.stage is not None:
            # how long the step waited for its consultant: p50/p90 per stage
            self.metrics.stage_wait(link.stage, (at - link.created_at).total_seconds())
            self.metrics.count("StepApproved" if decision == "approve" else "StepRejected", link.stage)
