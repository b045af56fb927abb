"""The audit trail: what happened to a person, when, and who did it. Events are only ever added."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from pydantic import BaseModel, ConfigDict

from backup.domain.stages import Stage


class EventKind(str, Enum):
    APPLIED = "APPLIED"
    REFERRED = "REFERRED"
    STAGE_ENTERED = "STAGE_ENTERED"
    STEP_OPENED = "STEP_OPENED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    REMINDER_SENT = "REMINDER_SENT"
    ESCALATED = "ESCALATED"
    WITHDRAWAL_REQUESTED = "WITHDRAWAL_REQUESTED"
    WITHDRAWN = "WITHDRAWN"
    DECISION_UNDELIVERED = "DECISION_UNDELIVERED"
    EMAIL_SENT = "EMAIL_SENT"
    LINK_RESENT = "LINK_RESENT"
    STEP_TIMED_OUT = "STEP_TIMED_OUT"
    NEEDS_OPS = "NEEDS_OPS"
    OPS_NOT_EMAILED = "OPS_NOT_EMAILED"  # the email asking ops failed: the run waits, the alarm tells them
    OPS_RETRIED = "OPS_RETRIED"
    OPS_ENDED = "OPS_ENDED"
    ENDED_BY_OPS = "ENDED_BY_OPS"
    MATCH_PROPOSED = "MATCH_PROPOSED"
    PROPOSAL_DECIDED = "PROPOSAL_DECIDED"
    INTRO_HELD = "INTRO_HELD"
    INTRO_NOT_HELD = "INTRO_NOT_HELD"  # put off to a new date, or not going to happen
    CONTINUE_ANSWERED = "CONTINUE_ANSWERED"
    MATCHED = "MATCHED"
    MATCH_RELEASED = "MATCH_RELEASED"
    MATCH_CLOSED = "MATCH_CLOSED"
    WAITING_FOR_MATCH = "WAITING_FOR_MATCH"
    EMAIL_BOUNCED = "EMAIL_BOUNCED"
    EMAIL_COMPLAINED = "EMAIL_COMPLAINED"
    REASSIGNED = "REASSIGNED"
    RUN_CONTINUED = "RUN_CONTINUED"  # a long wait in the pool carried on in a new execution
    TRANSITION_REFUSED = "TRANSITION_REFUSED"  # a move the evidence does not allow was asked for
    SAFEGUARDING_ALARM = "SAFEGUARDING_ALARM"  # a task result no used link backs (forged or replayed)
    SUSPENDED = "SUSPENDED"  # kept out of the pool and every match until a consultant clears them
    CERTIFICATE_EXPIRED = "CERTIFICATE_EXPIRED"
    CERTIFICATE_RENEWED = "CERTIFICATE_RENEWED"
    ACTIVITY_CHECK = "ACTIVITY_CHECK"  # no activity for a while: the consultant was asked to ask them
    STILL_ACTIVE = "STILL_ACTIVE"  # ... and answered that they carry on
    CLOSED_INACTIVE = "CLOSED_INACTIVE"  # ... or that they stop, or did not answer in time
    DATA_EXPORTED = "DATA_EXPORTED"  # ops gave the person what is held about them (art. 15/20)
    GATHERING_ANSWERED = "GATHERING_ANSWERED"  # a network day or supervision: yes, no or the waiting list
    GATHERING_ATTENDED = "GATHERING_ATTENDED"  # ... and, after it, whether they came
    # a match's support (backup.domain.support)
    SUPPORT_STARTED = "SUPPORT_STARTED"
    ROLES_AGREED = "ROLES_AGREED"
    ROLES_CONFIRMED = "ROLES_CONFIRMED"
    CHECK_IN = "CHECK_IN"
    CHECK_IN_MISSED = "CHECK_IN_MISSED"
    CLOSURE_REQUESTED = "CLOSURE_REQUESTED"  # the consultant chose to end the match (from a check-in)
    CLOSURE_RECORDED = "CLOSURE_RECORDED"  # ... and recorded its reason, the exit conversations, what next
    CONCERN_RAISED = "CONCERN_RAISED"  # someone in the match is worried (their "Jeg er bekymret" link)
    CONCERN_DECIDED = "CONCERN_DECIDED"  # the consultant decided: continue, pause or end
    SUSPENSION_CLEARED = "SUSPENSION_CLEARED"  # a consultant cleared a suspended volunteer, with why
    PULSE_ANSWERED = "PULSE_ANSWERED"  # "hvordan går det?": godt, okay or svært


class Event(BaseModel):
    model_config = ConfigDict(defer_build=True)  # its validator is built at first use, not at every import

    at: datetime
    kind: EventKind
    stage: Stage | None = None
    by: str | None = None  # an email address or "system"
    notes: str | None = None
    details: dict[str, str] = {}
