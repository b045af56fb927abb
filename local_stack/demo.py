"""`make demo`: a fresh local stack, one volunteer from application to READY_FOR_MATCH.

Acts as the applicant (POST /apply) and as the consultant for every emailed link (GET the page,
then POST the decision), then prints the volunteer's timeline. Exits 0 when the volunteer is
ready for match; otherwise says where it stopped and exits 1.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime

from backup.stages import HUMAN_STEPS, Stage
from local_stack.client import SAMPLE_APPLICATION, Client, approval_fields
from local_stack.stack import LocalStack, free_port


def timeline(client: Client, application_id: str) -> list[str]:
    events = client.history(application_id)
    start = datetime.fromisoformat(events[0]["at"])
    lines = []
    for event in events:
        at = datetime.fromisoformat(event["at"])
        label = event.get("event_stage") or ""
        who = event.get("by") or ""
        lines.append(f"  +{(at - start).total_seconds():6.2f} s  {event['kind']:<22} {label:<18} {who}")
    return lines


def main() -> int:
    with tempfile.NamedTemporaryFile("w", prefix="backup-demo-", suffix=".log", delete=False) as log:
        log_path = log.name
    log_file = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives as long as the stack
    print("Starting a fresh local stack ...", flush=True)
    with LocalStack(api_port=free_port(), aws_port=free_port(), log=log_file) as stack:
        client = Client(stack.web, stack.endpoint, stack.table_name)
        machine = stack.state_machines["VolunteerStateMachine"]
        consultant = stack.context.parameters["ConsultantEmail"]
        application_id = client.apply(SAMPLE_APPLICATION)
        print(f"Applied: application {application_id} (execution volunteer-{application_id})")
        where = "application"
        try:
            for stage in HUMAN_STEPS:
                where = stage.label
                email = client.wait_for_email(consultant, stage.label)
                url = client.link_in(email)
                answer = client.open_and_decide(url, "approve", approval_fields(stage.value),
                                                notes=f"Demo: {stage.label} godkendt.")
                if answer.status_code != 200:
                    raise RuntimeError(f"the decision page answered {answer.status_code}")
                print(f"Consultant approved {stage.label} ({stage.value})")
            where = Stage.READY_FOR_MATCH.label
            client.wait_for_stage(application_id, Stage.READY_FOR_MATCH.value)
            execution = client.wait_for_execution(machine, application_id)
        except (TimeoutError, RuntimeError, LookupError) as problem:
            current = client.volunteer(application_id)["stage"]
            print(f"\nThe demo stopped at {where}: {problem}. The volunteer is in {current}. "
                  f"The functions' logs are in {log_path}.", file=sys.stderr)
            return 1
        print(f"\nTimeline of {application_id}:")
        print("\n".join(timeline(client, application_id)))
        print(f"\nExecution {execution['name']}: {execution['status']}. "
              f"The volunteer is {Stage.READY_FOR_MATCH.value}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
