"""The staff commands on gatherings (`backup-ops events ...`, invoked directly on the gathering
function): each answers a GatheringResult; a refusal is `ok: false` with one sentence (and a
sentence per field for details that do not hold), never an exception."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import ValidationError

from backup.domain.errors import NotFound
from backup.domain.gatherings import Gathering, GatheringDetails, Invitation, Tally
from backup.usecases.gathering_tasks import (
    STAFF_ACTIONS,
    Attendance,
    CancelGathering,
    CreateGathering,
    EditGathering,
    GatheringResult,
    ShowGathering,
)
from backup.usecases.gatherings import Gatherings, InThePast, NotOpen
from backup.usecases.tasks import UnknownTask, parse_task


def field_messages(error: ValidationError) -> dict[str, str]:
    """One sentence per field (a rule about several fields under "details")."""
    messages: dict[str, str] = {}
    for problem in error.errors():
        field = ".".join(str(part) for part in problem["loc"]) or "details"
        messages.setdefault(field, str(problem["msg"]).removeprefix("Value error, "))
    return messages


def gathering_data(gathering: Gathering, tally: Tally) -> dict[str, Any]:
    details = gathering.details
    return {
        "id": gathering.id,
        "kind": details.kind.value,
        "theme": details.theme,
        "starts_at": details.starts_at.isoformat(),
        "ends_at": details.ends_at.isoformat(),
        "place": details.place,
        "region": gathering.where,
        "capacity": details.capacity,
        "audiences": [a.value for a in details.audiences],
        "supervisor": details.supervisor,
        "signup_deadline": gathering.deadline.isoformat(),
        "status": gathering.status.value,
        "cancel_reason": gathering.cancel_reason,
        "taken": gathering.taken,
        "measures": tally.model_dump(),
    }


def invitation_data(invitation: Invitation) -> dict[str, Any]:
    """Who and their answer; never the link id (it answers for them)."""
    return {
        "person_kind": invitation.person_kind.value,
        "person_id": invitation.person_id,
        "answer": invitation.answer.value,
        "attended": invitation.attended,
    }


class GatheringCommands:
    def __init__(self, gatherings: Gatherings):
        self.gatherings = gatherings

    def run(self, event: Any) -> dict[str, Any]:
        try:
            action, command = parse_task(STAFF_ACTIONS, event)
            result = self._run(action.name, command)
        except UnknownTask as unknown:
            result = GatheringResult(ok=False, message=str(unknown))
        except ValidationError as invalid:
            fields = field_messages(invalid)
            sentence = "; ".join(f"{k}: {v}" for k, v in fields.items())
            result = GatheringResult(ok=False, message=f"The details do not hold: {sentence}", data={"fields": fields})
        except (NotOpen, InThePast, ValueError) as refused:
            result = GatheringResult(ok=False, message=str(refused))
        except NotFound:
            result = GatheringResult(ok=False, message="There is no such gathering.")
        return result.model_dump(mode="json")

    def _run(self, name: str, command: Any) -> GatheringResult:
        g = self.gatherings
        if isinstance(command, CreateGathering):
            created = g.create(GatheringDetails.model_validate(command.details), command.by)
            return GatheringResult(ok=True, message=f"Created {created.id}.", data=gathering_data(created, Tally()))
        if isinstance(command, EditGathering):
            changed = g.edit(command.gathering_id, GatheringDetails.model_validate(command.details))
            return self._shown(changed.id, f"Changed {changed.id}.")
        if isinstance(command, CancelGathering):
            told = g.cancel(command.gathering_id, command.reason, command.by)
            return self._shown(command.gathering_id, f"Cancelled; {told} signed up or waiting were told.")
        if isinstance(command, Attendance):
            links = {i.person_id: i.link_id for i in g.store.invitations(command.gathering_id)}
            unknown = sorted(set(command.came) - set(links))
            if unknown:
                return GatheringResult(ok=False, message=f"Not invited: {', '.join(unknown)}.")
            g.record_attendance(command.gathering_id, {links[p]: came for p, came in command.came.items()}, command.by)
            return self._shown(command.gathering_id, f"Attendance recorded for {len(command.came)}.")
        if isinstance(command, ShowGathering):
            return self._shown(command.gathering_id, "")
        rows = g.listing()
        regions: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for gathering, tally in rows:
            for measure, value in tally.model_dump().items():
                regions[gathering.where][measure] += value
        return GatheringResult(
            ok=True,
            data={
                "gatherings": [gathering_data(gathering, tally) for gathering, tally in rows],
                "regions": {region: dict(measures) for region, measures in sorted(regions.items())},
            },
        )

    def _shown(self, gathering_id: str, message: str) -> GatheringResult:
        gathering, tally, invitations = self.gatherings.show(gathering_id)
        data = gathering_data(gathering, tally)
        data["invitations"] = [invitation_data(i) for i in invitations]
        return GatheringResult(ok=True, message=message, data=data)
