"""A network day on the local stack, from creation to attendance: created with backup-ops, its
run invites the target group (with a calendar file), more people click yes at the same moment
than there are seats (never overbooked: the rest wait), a no moves the first waiting person up
with a letter, those with a seat are reminded, the run closes it, and attendance is recorded and
shows in the person's history. A second one is cancelled and everyone signed up is told."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import requests

from backup.adapters.dynamodb import DynamoRepository
from backup.domain.history import Event, EventKind
from backup.domain.stages import Stage
from local_stack.client import hidden_fields
from tests.factories import volunteer

pytestmark = pytest.mark.e2e
SEATS, PEOPLE = 3, 8


def ops(stack, *argv):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "dummy", "AWS_SECRET_ACCESS_KEY": "dummy", "USER": "staff-e2e"}
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "BACKUP_STACK", "BACKUP_OPS_USER"):
        env.pop(key, None)
    done = subprocess.run(
        [sys.executable, "-m", "backup_ops.cli", *argv, "--endpoint-url", stack.endpoint, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return done


def repository(stack):
    resource = boto3.resource(
        "dynamodb",
        endpoint_url=stack.endpoint,
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106
    )
    return DynamoRepository(stack.table, resource)


def matched_volunteers(stack, count, name="Frivillig"):
    """Volunteers in a match in Nordjylland, straight into the table (their journeys are other tests')."""
    repo, people = repository(stack), []
    for n in range(count):
        person_id = f"gv{uuid.uuid4().hex[:10]}"
        email = f"{person_id}@example.org"
        record = volunteer(person_id, Stage.MATCHED, first_name=f"{name}{n}", email=email, postcode="9000")
        repo.create_person(record, Event(at=datetime.now(UTC), kind=EventKind.APPLIED, by="test"))
        people.append((person_id, email))
    return people


def at(seconds):
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="seconds")


def create(stack, starts_in, deadline_in, theme):
    done = ops(
        stack,
        "events",
        "create",
        "--kind",
        "network-day",
        "--theme",
        theme,
        "--starts",
        at(starts_in),
        "--ends",
        at(starts_in + 5),
        "--deadline",
        at(deadline_in),
        "--place",
        "Røde Kors, Aalborg",
        "--area",
        "Nordjylland",
        "--capacity",
        str(SEATS),
        "--invite",
        "volunteers",
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["data"]["id"]


def invitation_link(stack, email, theme):
    message = stack.client.wait_for_email(email, f"Invitation: netværksdag om {theme}", timeout=60)
    line = next(line for line in message["text"].splitlines() if line.startswith("Ja, jeg kommer: "))
    return line.removeprefix("Ja, jeg kommer: ").split("?", 1)[0], message


def opened(url):
    session = requests.Session()
    page = session.get(url + "?svar=ja", timeout=30)
    assert page.status_code == 200, page.text[:300]
    return session, hidden_fields(page.text)


def test_a_network_day_from_creation_through_a_rush_of_sign_ups_a_reminder_and_attendance(stack):
    people = matched_volunteers(stack, PEOPLE)
    theme = f"Din første bolig {uuid.uuid4().hex[:6]}"
    gathering_id = create(stack, starts_in=75, deadline_in=50, theme=theme)
    links = {}
    for person_id, email in people:
        links[person_id], message = invitation_link(stack, email, theme)
        assert "Røde Kors, Aalborg" in message["text"] and "Nej tak: " in message["text"]

    # everyone opens their link, then all click yes at the same moment
    sessions = {person_id: opened(links[person_id]) for person_id, _ in people}
    start, answers = threading.Barrier(PEOPLE), {}

    def click(person_id):
        session, fields = sessions[person_id]
        start.wait()
        answer = session.post(links[person_id], data={**fields, "svar": "ja"}, timeout=60)
        answers[person_id] = (answer.status_code, answer.text)

    threads = [threading.Thread(target=click, args=(person_id,)) for person_id, _ in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {status for status, _ in answers.values()} == {200}
    seated = [p for p, (_, text) in answers.items() if "Du er tilmeldt" in text]
    waiting = [p for p, (_, text) in answers.items() if "Du står på venteliste" in text]
    assert len(seated) == SEATS and len(waiting) == PEOPLE - SEATS

    shown = json.loads(ops(stack, "events", "show", gathering_id).stdout)["data"]
    assert shown["taken"] == SEATS and shown["measures"]["signed_up"] == SEATS
    # the target group is every matched volunteer in Nordjylland: ours, and any another test left there
    invited = {m["to"] for m in stack.client.outbox() if f"Invitation: netværksdag om {theme}" in m["subject"]}
    assert {email for _, email in people} <= invited
    assert shown["measures"]["invited"] == len(invited) and shown["measures"]["waiting"] == PEOPLE - SEATS

    # one with a seat says no: the first on the waiting list gets it, by email
    before = len(stack.client.outbox())
    session, fields = opened(links[seated[0]])
    assert "Du har meldt fra" in session.post(links[seated[0]], data={**fields, "svar": "nej"}, timeout=30).text
    moved_up = stack.client.wait_for_email(None, f"Der er blevet plads til dig: {theme}", after=before, timeout=30)
    now_seated = {p for p, e in people if e == moved_up["to"]}
    assert len(now_seated) == 1 and now_seated <= set(waiting)
    seated = [*seated[1:], *now_seated]

    # the run reminds those with a seat (30 s before, locally), then closes it after it ends
    for person_id in seated:
        email = f"{person_id}@example.org"
        stack.client.wait_for_email(email, f"Påmindelse: {theme}", timeout=90)
    outbox = stack.client.outbox()
    reminded = {m["to"] for m in outbox if m["subject"].startswith(f"Påmindelse: {theme}")}
    assert reminded == {f"{p}@example.org" for p in seated}

    # after it: the organiser records who came; it is on the person's history
    deadline = time.monotonic() + 90
    while True:
        done = ops(stack, "events", "attendance", gathering_id, "--came", seated[0], "--absent", seated[1])
        if done.returncode == 0 or time.monotonic() > deadline:
            break
        assert "begyndt" in done.stderr, done.stderr  # not begun yet: the refusal says so
        time.sleep(2)
    assert done.returncode == 0, done.stderr
    shown = json.loads(ops(stack, "events", "show", gathering_id).stdout)["data"]
    assert shown["measures"]["attended"] == 1
    history = repository(stack).history(volunteer(seated[0]).kind, seated[0])
    assert any(e.kind is EventKind.GATHERING_ATTENDED and e.details["gathering_id"] == gathering_id for e in history)

    # a late click is refused, with a page that says why (the store refuses it too: contract tests)
    late = requests.post(links[waiting[-1]], data={"svar": "ja"}, timeout=30)
    assert late.status_code == 410 and "Arrangementet er holdt" in late.text


def test_a_cancelled_network_day_tells_everyone_signed_up_and_takes_no_more_answers(stack):
    people = matched_volunteers(stack, 2)
    theme = f"Penge og budget {uuid.uuid4().hex[:6]}"
    gathering_id = create(stack, starts_in=600, deadline_in=500, theme=theme)
    (signed_up, signed_email), (other, _) = people
    link, _ = invitation_link(stack, signed_email, theme)
    other_link, _ = invitation_link(stack, f"{other}@example.org", theme)
    session, fields = opened(link)
    assert "Du er tilmeldt" in session.post(link, data={**fields, "svar": "ja"}, timeout=30).text
    done = ops(stack, "events", "cancel", gathering_id, "--reason", "Underviseren er syg")
    assert done.returncode == 0, done.stderr
    letter = stack.client.wait_for_email(signed_email, f"Aflyst: {theme}", timeout=30)
    assert "Underviseren er syg" in letter["text"]
    told = {m["to"] for m in stack.client.outbox() if m["subject"].startswith(f"Aflyst: {theme}")}
    assert told == {signed_email}
    page = requests.get(other_link, timeout=30)
    assert page.status_code == 410 and "Arrangementet er aflyst" in page.text and "<form" not in page.text
    refused = requests.post(other_link, data={"svar": "ja"}, timeout=30)
    assert refused.status_code == 410 and "Arrangementet er aflyst" in refused.text
    again = ops(stack, "events", "cancel", gathering_id)
    assert again.returncode == 0  # a second cancel is a no-op that tells nobody twice


def test_a_dead_or_forged_link_gets_a_page_not_an_error(stack):
    page = requests.get(f"{stack.web}/tilmelding/nope/{'x' * 43}", timeout=30)
    assert page.status_code == 404 and "Vi kan ikke finde invitationen" in page.text
    assert requests.post(f"{stack.web}/tilmelding/nope/{'x' * 500}", data={"svar": "ja"}, timeout=30).status_code == 404


def test_bad_details_are_refused_by_the_command_with_a_sentence(stack):
    done = ops(
        stack,
        "events",
        "create",
        "--kind",
        "supervision",
        "--theme",
        "Sparring",
        "--starts",
        at(600),
        "--ends",
        at(500),
        "--place",
        "Online",
        "--capacity",
        "0",
    )
    assert done.returncode == 1 and done.stderr.startswith("backup-ops: The details do not hold")
    assert "capacity" in done.stderr
