"""The stages a volunteer passes through: the one source of truth for their names and order."""

from __future__ import annotations

from enum import Enum


class Stage(str, Enum):
    # volunteers
    APPLIED = "APPLIED"
    PHONE_SCREENING = "PHONE_SCREENING"
    HOME_VISIT = "HOME_VISIT"
    CHILD_CERTIFICATE = "CHILD_CERTIFICATE"
    TRAINING = "TRAINING"
    READY_FOR_MATCH = "READY_FOR_MATCH"
    # young people
    REFERRED = "REFERRED"
    REFERRAL_CHECK = "REFERRAL_CHECK"
    WAITING_FOR_MATCH = "WAITING_FOR_MATCH"
    # both, from a proposal on
    MATCH_PROPOSED = "MATCH_PROPOSED"
    INTRO_MEETING = "INTRO_MEETING"
    MATCHED = "MATCHED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"
    CLOSED = "CLOSED"

    def __str__(self) -> str:  # so f-strings and DynamoDB items show the plain name
        return self.value

    @property
    def label(self) -> str:
        """The Danish name shown to people."""
        return LABELS[self]

    @property
    def is_human_step(self) -> bool:
        return self in HUMAN_STEPS or self in YOUTH_STEPS

    @property
    def is_final(self) -> bool:
        return self in FINAL_STAGES


# The screening steps a consultant approves, in the order the programme runs them.
HUMAN_STEPS: tuple[Stage, ...] = (
    Stage.PHONE_SCREENING,
    Stage.HOME_VISIT,
    Stage.CHILD_CERTIFICATE,
    Stage.TRAINING,
)

FINAL_STAGES = frozenset({Stage.REJECTED, Stage.WITHDRAWN, Stage.CLOSED})

LABELS: dict[Stage, str] = {
    Stage.APPLIED: "Ansøgning modtaget",
    Stage.PHONE_SCREENING: "Telefonsamtale",
    Stage.HOME_VISIT: "Hjemmebesøg",
    Stage.CHILD_CERTIFICATE: "Børneattest",
    Stage.TRAINING: "Uddannelse",
    Stage.READY_FOR_MATCH: "Klar til match",
    Stage.REFERRED: "Henvisning modtaget",
    Stage.REFERRAL_CHECK: "Samtale med den unge",
    Stage.WAITING_FOR_MATCH: "Venter på en frivillig",
    Stage.MATCH_PROPOSED: "Match foreslået",
    Stage.INTRO_MEETING: "Introduktionsmøde",
    Stage.MATCHED: "Matchet",
    Stage.REJECTED: "Afslået",
    Stage.WITHDRAWN: "Trukket tilbage",
    Stage.CLOSED: "Afsluttet",
}

# State names in the state machine, so the console reads as the programme's steps.
STATE_NAMES: dict[Stage, str] = {
    Stage.PHONE_SCREENING: "Phone screening",
    Stage.HOME_VISIT: "Home visit",
    Stage.CHILD_CERTIFICATE: "Child-protection certificate",
    Stage.TRAINING: "Training",
    Stage.REFERRAL_CHECK: "Referral check",
}

# The young person's human step: a consultant talks with them and confirms the referral.
YOUTH_STEPS: tuple[Stage, ...] = (Stage.REFERRAL_CHECK,)


def step_after(stage: Stage) -> Stage:
    """The stage a person moves to when `stage` is approved."""
    for steps, done in ((HUMAN_STEPS, Stage.READY_FOR_MATCH), (YOUTH_STEPS, Stage.WAITING_FOR_MATCH)):
        if stage in steps:
            index = steps.index(stage)
            return steps[index + 1] if index + 1 < len(steps) else done
    raise ValueError(f"{stage} is not a screening step")
