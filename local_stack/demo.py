"""`make demo`: a fresh local stack, one volunteer and one young person all the way to MATCHED,
then the match's roles and its first check-in.

Acts as the applicant (POST /apply), the contact adult (POST /refer), the consultant for every
emailed link (GET the page, then POST the decision) and, after the introduction meeting, as
both the young person and the volunteer saying yes. Prints the timelines. Exits 0 when both are
MATCHED; otherwise says where it stopped and exits 1.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, datetime
from typing import Any

from backup.domain.stages import HUMAN_STEPS, YOUTH_STEPS, Stage
from local_stack.client import SAMPLE_APPLICATION, SAMPLE_REFERRAL, Client, approval_fields
from local_stack.stack import LocalStack, free_port


class Stopped(Exception):
    pass


DEMO_PARAMETERS = {"CheckInFirstSeconds": "5"}  # the first check-in falls due while you watch
DEMO_ROLES = {
    "volunteer_role": "Fritid og hverdagsstøtte",
    "professional_role": "Bolig, økonomi og skole",
    "contact": "SMS til kontaktpersonen",
}
DEMO_CHECK_IN = {
    "with_whom": ["volunteer", "youth"],
    "how": "godt",
    "activities": "Fodbold og madlavning",
    "frequency": "Hver anden uge",
}


def timeline(client: Client, person_id: str, kind: str, start: datetime) -> list[str]:
    lines = []
    for event in client.history(person_id, kind):
        at = datetime.fromisoformat(event["at"])
        label = event.get("event_stage") or ""
        who = event.get("by") or ""
        lines.append(f"  +{(at - start).total_seconds():6.2f} s  {event['kind']:<22} {label:<18} {who}")
    return lines


def decide(client: Client, subject: str, decision: str, fields: dict[str, Any] | None = None) -> None:
    email = client.wait_for_email(None, subject, timeout=60)
    answer = client.open_and_decide(client.link_in(email), decision, fields or {})
    if answer.status_code != 200:
        raise Stopped(f"the page for '{email['subject']}' answered {answer.status_code}")


def journey(client: Client, say: Any) -> tuple[str, str, str]:
    volunteer_id = client.apply(SAMPLE_APPLICATION)
    say(f"Volunteer applied: {volunteer_id} (execution volunteer-{volunteer_id})")
    for stage in HUMAN_STEPS:
        decide(
            client, f"{stage.label} venter på dig (ansøgning {volunteer_id})", "approve", approval_fields(stage.value)
        )
        say(f"  consultant approved {stage.label} ({stage.value})")
    client.wait_for_stage(volunteer_id, Stage.READY_FOR_MATCH.value)
    youth_id = client.refer(SAMPLE_REFERRAL)
    say(f"Young person referred: {youth_id} (execution youth-{youth_id})")
    for stage in YOUTH_STEPS:
        decide(client, f"{stage.label} venter på dig (henvisning {youth_id})", "approve")
        say(f"  consultant confirmed the referral ({stage.value})")
    client.wait_for_stage(youth_id, Stage.MATCH_PROPOSED.value, kind="YOUTH")
    proposal_id = client.volunteer(youth_id, "YOUTH")["proposal_id"]
    proposal = client.volunteer(proposal_id, "MATCH")["details"]
    say(f"Matching proposed {proposal['chosen']['volunteer_id']} (match-{proposal_id}): {proposal['chosen']['reason']}")
    decide(client, f"(forslag {proposal_id})", f"chosen:{proposal['chosen']['volunteer_id']}")
    say("  consultant chose the proposed volunteer")
    decide(
        client,
        f"registrér introduktionsmødet (forslag {proposal_id})",
        "held",
        {"intro_date": date.today().isoformat()},
    )
    say("  consultant recorded the introduction meeting")
    for to in (SAMPLE_REFERRAL["email"], SAMPLE_APPLICATION["email"]):
        email = client.wait_for_email(to, "Vil du fortsætte i BackUp?")
        if client.open_and_decide(client.link_in(email), "yes").status_code != 200:
            raise Stopped(f"{to} could not answer")
        say(f"  {to} said yes")
    client.wait_for_stage(youth_id, Stage.MATCHED.value, kind="YOUTH")
    client.wait_for_stage(volunteer_id, Stage.MATCHED.value)
    return volunteer_id, youth_id, proposal_id


def first_check_in(client: Client, proposal_id: str, say: Any) -> None:
    """After MATCHED: the roles agreed and confirmed, then the first check-in recorded."""
    decide(client, f"(match {proposal_id})", "recorded", DEMO_ROLES)
    say("  consultant recorded the roles agreed with the contact adult")
    decide(client, "Bekræft rollefordelingen", "confirmed")
    say("  the contact adult confirmed the roles")
    decide(client, "opfølgning nr. 1 med", "recorded", {**DEMO_CHECK_IN, "check_in_date": date.today().isoformat()})
    say("  consultant recorded the first check-in")


def print_check_ins(client: Client, proposal_id: str) -> None:
    match = client.volunteer(proposal_id, "MATCH")
    print(f"\nSupport of match {proposal_id} (execution support-{proposal_id}):")
    for check in sorted(match.get("check_ins", {}).values(), key=lambda c: c["decided_at"]):
        fields = check["fields"]
        print(
            f"  check-in {fields['check_in_date']} with {fields['with_whom']}: {fields['how']}; "
            f"together: {fields.get('activities', '')} ({fields.get('frequency', '')}), by {check['decided_by']}"
        )


def main() -> int:
    with tempfile.NamedTemporaryFile("w", prefix="backup-demo-", suffix=".log", delete=False) as log:
        log_path = log.name
    log_file = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives as long as the stack
    print("Starting a fresh local stack ...", flush=True)
    with LocalStack(api_port=free_port(), aws_port=free_port(), log=log_file, parameters=DEMO_PARAMETERS) as stack:
        client = Client(stack.web, stack.endpoint, stack.table_name)
        try:
            volunteer_id, youth_id, proposal_id = journey(client, lambda line: print(line, flush=True))
            executions = [
                client.wait_for_execution(stack.state_machines["VolunteerStateMachine"], volunteer_id),
                client.wait_for_execution(stack.state_machines["YouthStateMachine"], youth_id, prefix="youth"),
                client.wait_for_execution(stack.state_machines["MatchStateMachine"], proposal_id, prefix="match"),
            ]
            first_check_in(client, proposal_id, lambda line: print(line, flush=True))
        except (Stopped, TimeoutError, RuntimeError, LookupError) as problem:
            print(f"\nThe demo stopped: {problem}. The functions' logs are in {log_path}.", file=sys.stderr)
            return 1
        start = datetime.fromisoformat(client.history(volunteer_id)[0]["at"])
        for title, person_id, kind in (
            ("Volunteer", volunteer_id, "VOLUNTEER"),
            ("Young person", youth_id, "YOUTH"),
            ("Match", proposal_id, "MATCH"),
        ):
            print(f"\n{title} {person_id} (time since the volunteer applied):")
            print("\n".join(timeline(client, person_id, kind, start)))
        print("\n" + "\n".join(f"Execution {e['name']}: {e['status']}" for e in executions))
        print(f"Volunteer {volunteer_id} and young person {youth_id} are {Stage.MATCHED.value}.")
        print_check_ins(client, proposal_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
