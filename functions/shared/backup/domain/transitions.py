"""The one check every change of a person's stage goes through. It reads the evidence recorded on
the person (backup.domain.evidence) and refuses a skip, a repeat, a step back, or a move that no
consultant's decision (or the person's own request, or ops' choice) allows."""

from __future__ import annotations

from datetime import date

from backup.domain.evidence import Evidence, Rules, step_field_errors
from backup.domain.records import Person, Volunteer
from backup.domain.stages import HUMAN_STEPS, YOUTH_STEPS, Stage, step_after

POOL = frozenset({Stage.READY_FOR_MATCH, Stage.WAITING_FOR_MATCH})
IN_A_PROPOSAL = {Stage.MATCH_PROPOSED: Stage.INTRO_MEETING, Stage.INTRO_MEETING: Stage.MATCHED}


class TransitionRefused(Exception):
    """A request to move a person that their recorded evidence does not allow. The state machines
    send it to ops; the attempt is recorded as an audit event and raises the safeguarding alarm."""

    def __init__(self, person_id: str, from_stage: Stage, to_stage: Stage, reason: str):
        super().__init__(f"{person_id}: {from_stage.value} -> {to_stage.value} refused: {reason}")
        self.person_id = person_id
        self.from_stage = from_stage
        self.to_stage = to_stage
        self.reason = reason


def steps_of(person: Person) -> tuple[Stage, ...]:
    """The consultant's steps a person passes, in order."""
    return HUMAN_STEPS if isinstance(person, Volunteer) else YOUTH_STEPS


def approval_problem(person: Person, stage: Stage, today: date, rules: Rules) -> str | None:
    """Why the evidence for `stage` does not let the person move on (None: it does)."""
    evidence = person.evidence.get(stage)
    if evidence is None or not evidence.link_id or not evidence.decided_by:
        return f"no consultant's decision is recorded for {stage.value}"
    if evidence.decision != "approve":
        return f"{stage.value} was decided '{evidence.decision}', not approved"
    errors = step_field_errors(stage, evidence.fields, applied_on=person.created_at.date(), today=today, rules=rules)
    if errors:
        return f"the evidence for {stage.value} breaks the rules: " + "; ".join(f"{k}: {v}" for k, v in errors.items())
    return None


def clearance_problem(person: Person, today: date, rules: Rules) -> str | None:
    """Why this person may not be proposed today (None: they may). A volunteer needs every step's
    evidence to hold now, including a certificate within its validity, and no suspension."""
    if person.suspended is not None:
        return f"suspended: {person.suspended.reason}"
    for stage in steps_of(person):
        reason = approval_problem(person, stage, today, rules)
        if reason:
            return reason
    if isinstance(person, Volunteer) and (person.cleared_until is None or person.cleared_until <= today):
        return "the child-protection certificate has expired"
    return None


def check_transition(person: Person, to: Stage, today: date, rules: Rules, closure: Evidence | None = None) -> None:
    """TransitionRefused unless the recorded evidence allows `person` to move to `to` now. A matched
    person leaves their match only on the closure a consultant recorded through its link (`closure`,
    read from the match that holds them)."""
    here = person.stage

    def refuse(reason: str) -> None:
        raise TransitionRefused(person.id, here, to, reason)

    if to is here:
        return  # no move: a step waits again, or a task is retried
    if here.is_final:
        refuse(f"the journey ended in {here.value}")
    if to is Stage.WITHDRAWN:
        if not person.withdrawal_requested:
            refuse("the person has not asked to withdraw")
        return
    if here is Stage.MATCHED and to in POOL | {Stage.CLOSED} and person.proposal_id:
        if closure is None or closure.decision != "close" or not closure.link_id or not closure.decided_by:
            refuse("no consultant has recorded the end of the match from its link")
        if to in POOL:  # back to the pool only if everything that cleared them still holds
            reason = clearance_problem(person, today, rules)
            if reason:
                refuse(reason)
        return
    if to is Stage.CLOSED:
        chosen = person.ops_decision
        if chosen is None or chosen.decision != "end" or chosen.link_id != person.ops_link_id:
            refuse("ops have not chosen to end this journey from their link")
        return
    steps = steps_of(person)
    if to is Stage.REJECTED:
        evidence = person.evidence.get(here)
        if here not in steps or evidence is None or evidence.decision != "reject" or not evidence.link_id:
            refuse(f"no consultant rejected {here.value}")
        return
    if here is (Stage.APPLIED if steps is HUMAN_STEPS else Stage.REFERRED) and to is steps[0]:
        return
    if here in steps and to is step_after(here):
        for stage in steps[: steps.index(here) + 1]:
            reason = approval_problem(person, stage, today, rules)
            if reason:
                refuse(reason)
        return
    if here in POOL and to is Stage.MATCH_PROPOSED:
        reason = clearance_problem(person, today, rules)
        if reason:
            refuse(reason)
        return
    if here in IN_A_PROPOSAL and person.proposal_id and to in POOL:
        return  # a proposal that ends lets them go
    if here in IN_A_PROPOSAL and person.proposal_id and to is IN_A_PROPOSAL[here]:
        reason = clearance_problem(person, today, rules)  # no further towards a child without it
        if reason:
            refuse(reason)
        return
    refuse("not the next step of the programme")
