"""Acts as the people who use BackUp, over real HTTP against a running local stack: an applicant
submitting the form, a consultant following the emailed links. Used by `make demo` and the
end-to-end tests."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

import boto3
import requests

from backup.domain.executions import execution_name
from backup.domain.kinds import RecordKind
from local_stack.template import REGION

LINK = re.compile(r"https?://[^\s<>\"]+/(decisions|withdraw)/([A-Za-z0-9_\-]+)")

SAMPLE_APPLICATION: dict[str, Any] = {
    "first_name": "Mette",
    "last_name": "Hansen",
    "email": "mette.hansen@example.org",
    "phone": "12 34 56 78",
    "birth_date": "1980-05-01",
    "address": "Vestergade 1",
    "postcode": "8000",
    "city": "Aarhus C",
    "interests": ["football", "cooking", "brætspil"],
    "availability": "weekly",
    "motivation": "Jeg vil gerne være en stabil voksen, som en ung kan regne med i mange år.",
    "experience": "Fodboldtræner for U17 i seks år.",
    "references": ["Anne Jensen, 87 65 43 21", "Bo Holm, bo.holm@example.org"],
    "consent_data": True,
    "consent_child_certificate": True,
    "commitment": True,
}


SAMPLE_REFERRAL: dict[str, Any] = {
    "first_name": "Sara",
    "birth_date": "2008-03-14",
    "postcode": "8200",
    "placement": "foster_family",
    "interests": ["football", "cooking"],
    "wishes": "En rolig voksen, der kan lide fodbold og vil lære mig at lave mad.",
    "preferences": {},
    "availability": "weekly",
    "email": "sara@example.org",
    "contact_adult_name": "Lone Berg",
    "contact_adult_email": "lone.berg@example.org",
    "contact_adult_phone": "+45 86 12 34 56",
    "contact_adult_organisation": "Familieplejen, Aarhus Kommune",
    "motivated": True,
    "no_active_substance_abuse": True,
    "can_meet_without_professional_support": True,
    "consent": True,
}


def approval_fields(stage: str, today: date | None = None) -> dict[str, str]:
    """What a consultant fills in to approve each step."""
    # UTC's date is never ahead of the server's (UTC or Danish), unlike a Danish laptop's after midnight
    day = (today or datetime.now(UTC).date()).isoformat()
    return {
        "PHONE_SCREENING": {
            "motivation_ok": "yes",
            "understands_broken_relations": "yes",
            "has_time_for_a_year": "yes",
            "references_contacted": "yes",
        },
        "HOME_VISIT": {"visit_date": day, "assessment": "Roligt hjem, god forståelse for de unges situation."},
        "CHILD_CERTIFICATE": {"received_date": day, "certificate_clean": "yes"},
        "TRAINING": {"completed_date": day, "hours": "6"},
        "REFERRAL_CHECK": {},
    }[stage]


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.fields[str(values["name"])] = values.get("value") or ""


def hidden_fields(html: str) -> dict[str, str]:
    parser = _HiddenInputs()
    parser.feed(html)
    return parser.fields


class Client:
    def __init__(self, web: str, endpoint: str, table_name: str = "backup-local-Table"):
        self.web = web.rstrip("/")
        self.endpoint = endpoint
        self.table_name = table_name

    # --- the applicant ---------------------------------------------------------------------------

    def apply(self, application: dict[str, Any] | None = None) -> str:
        response = requests.post(f"{self.web}/apply", json=application or SAMPLE_APPLICATION, timeout=30)
        if response.status_code != 201:
            raise RuntimeError(f"POST /apply answered {response.status_code}: {response.text[:500]}")
        return str(response.json()["application_id"])

    # --- the contact adult --------------------------------------------------------------------------

    def refer(self, referral: dict[str, Any] | None = None) -> str:
        response = requests.post(f"{self.web}/refer", json=referral or SAMPLE_REFERRAL, timeout=30)
        if response.status_code != 201:
            raise RuntimeError(f"POST /refer answered {response.status_code}: {response.text[:500]}")
        return str(response.json()["youth_id"])

    # --- the outbox ------------------------------------------------------------------------------

    def outbox(self) -> list[dict[str, Any]]:
        response = requests.get(f"{self.web}/_local/outbox.json", timeout=10)
        response.raise_for_status()
        return list(response.json())

    def wait_for_email(
        self, to: str | None, subject_contains: str, after: int = 0, timeout: float = 30
    ) -> dict[str, Any]:
        """The first email (from index `after` on) to `to` (anyone if None) whose subject contains the text."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for message in self.outbox()[after:]:
                if to in (None, message["to"]) and subject_contains in message["subject"]:
                    return message
            time.sleep(0.2)
        raise TimeoutError(f"no email to {to} about '{subject_contains}' within {timeout:.0f} s")

    @staticmethod
    def link_in(message: dict[str, Any], kind: str = "decisions") -> str:
        for found in LINK.finditer(message["text"]):
            if found.group(1) == kind:
                return found.group(0)
        raise LookupError(f"no /{kind}/ link in the email '{message['subject']}'")

    # --- the consultant --------------------------------------------------------------------------

    def open_and_decide(
        self, url: str, decision: str, fields: dict[str, str] | None = None, notes: str = ""
    ) -> requests.Response:
        """Open the emailed link (GET shows the page), then POST the decision from that page; a
        rejection or a "no" to continuing is confirmed on the page that asks once more, as people do."""
        session = requests.Session()
        page = session.get(url, timeout=30)
        if page.status_code != 200:
            return page
        form = {**hidden_fields(page.text), **(fields or {}), "decision": decision, "notes": notes}
        answer = session.post(url, data=form, timeout=30)
        asked = hidden_fields(answer.text)
        if answer.status_code == 200 and asked.get("confirm") == "yes":
            return session.post(url, data={**asked, "decision": decision}, timeout=30)
        return answer

    # --- what ops see ----------------------------------------------------------------------------

    def _table(self) -> Any:
        return boto3.resource(
            "dynamodb",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        ).Table(self.table_name)

    def volunteer(self, application_id: str, kind: str = "VOLUNTEER") -> dict[str, Any]:
        item = self._table().get_item(Key={"pk": f"{kind}#{application_id}", "sk": "PROFILE"}).get("Item")
        if item is None:
            raise LookupError(application_id)
        return dict(item)

    def history(self, application_id: str, kind: str = "VOLUNTEER") -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        response = self._table().query(
            KeyConditionExpression=Key("pk").eq(f"{kind}#{application_id}") & Key("sk").begins_with("EVENT#")
        )
        return list(response["Items"])

    def wait_for_stage(
        self, application_id: str, stage: str, timeout: float = 30, kind: str = "VOLUNTEER"
    ) -> dict[str, Any]:
        deadline = time.time() + timeout
        current = None
        while time.time() < deadline:
            current = self.volunteer(application_id, kind)
            if current["stage"] == stage:
                return current
            time.sleep(0.2)
        raise TimeoutError(f"{application_id} stayed in {current and current['stage']}, never reached {stage}")

    def execution(
        self, state_machine_arn: str, application_id: str, prefix: str = "volunteer", run: int | None = None
    ) -> dict[str, Any]:
        sfn = boto3.client(
            "stepfunctions",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        return dict(
            sfn.describe_execution(executionArn=self.execution_arn(state_machine_arn, application_id, prefix, run))
        )

    def execution_arn(
        self, state_machine_arn: str, application_id: str, prefix: str = "volunteer", run: int | None = None
    ) -> str:
        """The current run's execution (a long wait in the pool carries on in a new run), or run `run`."""
        kind = RecordKind.read(prefix)
        if run is None:
            try:
                run = int(self.volunteer(application_id, kind.value).get("run", 1))
            except LookupError:
                run = 1
        return (
            state_machine_arn.replace(":stateMachine:", ":execution:") + ":" + execution_name(application_id, kind, run)
        )

    def wait_for_execution(
        self,
        state_machine_arn: str,
        application_id: str,
        status: str = "SUCCEEDED",
        timeout: float = 30,
        prefix: str = "volunteer",
        run: int | None = None,
    ) -> dict[str, Any]:
        deadline = time.time() + timeout
        found: dict[str, Any] = {}
        while time.time() < deadline:
            found = self.execution(state_machine_arn, application_id, prefix, run)
            if found["status"] == status:
                return found
            time.sleep(0.2)
        raise TimeoutError(f"execution of {application_id} is {found.get('status')}, not {status}")

    def current_state(
        self, state_machine_arn: str, application_id: str, prefix: str = "volunteer", run: int | None = None
    ) -> str:
        """The state the execution last entered, as the console shows it."""
        sfn = boto3.client(
            "stepfunctions",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        arn = self.execution_arn(state_machine_arn, application_id, prefix, run)
        events = [
            e for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn) for e in page["events"]
        ]
        entered = next((e for e in reversed(events) if e["type"].endswith("StateEntered")), None)
        return str(entered["stateEnteredEventDetails"]["name"]) if entered else ""

    def wait_for_state(
        self, state_machine_arn: str, application_id: str, state: str, prefix: str = "volunteer", timeout: float = 30
    ) -> None:
        deadline = time.time() + timeout
        current = ""
        while time.time() < deadline:
            current = self.current_state(state_machine_arn, application_id, prefix)
            if current == state:
                return
            time.sleep(0.2)
        raise TimeoutError(f"{prefix}-{application_id} is in '{current}', never reached '{state}'")
