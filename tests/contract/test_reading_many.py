"""Reading many people at once (the matching run reads the whole pool, the watch reads everyone in a
stage), on DynamoDB and in memory alike: everyone asked for comes back, and a read of only some of
their details leaves out the rest of what they told us and none of what keeps a child safe."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backup.domain.evidence import Evidence
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.records import Leaving, Suspension, VolunteerDetails, YouthDetails
from backup.domain.stages import HUMAN_STEPS, Stage
from tests.factories import NOW, cleared_volunteer, confirmed_young_person, evidence

VOLUNTEER, YOUTH = RecordKind.VOLUNTEER, RecordKind.YOUTH
EVERY_DETAIL = {
    "first_name": "Anne",
    "last_name": "Sørensen",
    "email": "anne@example.org",
    "phone": "+4512345678",
    "birth_date": "1980-03-04",
    "address": "Blegdamsvej 27, 3. th.",
    "postcode": "2100",
    "city": "København Ø",
    "interests": ("musik", "sport"),
    "availability": "weekends",
    "motivation": "Jeg vil gerne være der for en ung.",
    "experience": "Spejderleder.",
    "gender": "female",
    "references": ("Mette Hansen, +4587654321",),
}


def applied(at=NOW):
    return Event(at=at, kind=EventKind.APPLIED, by="applicant")


def test_everyone_asked_for_comes_back_across_many_requests(repository):
    ids = [f"v{n:03}" for n in range(250)]  # three of DynamoDB's batches of 100, read side by side
    for person_id in ids:
        repository.create_person(cleared_volunteer(person_id, postcode="2100"), applied())
    found = repository.get_people(VOLUNTEER, [*ids, "nobody", "v001"], may_be_stale=True)  # one asked twice
    assert sorted(p.id for p in found) == ids
    assert all(p.details.postcode == "2100" for p in found)


def test_a_read_of_some_details_holds_no_names_or_addresses(repository):
    repository.create_person(cleared_volunteer("v1", **EVERY_DETAIL), applied())
    (whole,) = repository.get_people(VOLUNTEER, ["v1"])
    (projected,) = repository.get_people(VOLUNTEER, ["v1"], only_details=("postcode", "birth_date", "interests"))
    assert projected.details == VolunteerDetails(postcode="2100", birth_date="1980-03-04", interests=("musik", "sport"))
    assert projected.model_copy(update={"details": whole.details}) == whole  # the rest of the record, whole


def test_a_read_of_some_details_still_sees_every_safeguard_on_the_record(repository):
    """The attack: a projection that dropped the suspension, the certificate's date, the withdrawal
    or a step's evidence would let matching propose someone it must not. Every field of the record
    but the details is set to something that is not its default, and must come back as stored."""
    suspended_since = NOW - timedelta(days=2)
    rejected = Evidence(
        decision="reject", decided_by="k@x.dk", decided_at=NOW, link_id="L-cert", fields={"certificate_clean": "no"}
    )
    record = {
        "consultant": "k@x.dk",
        "open_stage": Stage.TRAINING,
        "open_link_id": "L-open",
        "reminders_sent": 2,
        "escalated": True,
        "needs_ops": "Screening",
        "ops_link_id": "L-ops",
        "letters_sent": ("welcome",),
        "expires_at": 1_900_000_000,
        "run": 3,
        "ops_decision": {"decision": "retry", "decided_by": "ops@x.dk", "decided_at": NOW, "link_id": "L-o"},
        "withdrawal_requested": True,
        "leaving_because": Leaving.WITHDREW,
        "withdraw_link_id": "L-w",
        "proposal_id": "p1",
        "match_token": "token",
        "excluded_volunteers": ("v9",),
        "no_candidates": True,
        "evidence": {**evidence(HUMAN_STEPS), Stage.CHILD_CERTIFICATE: rejected},
        "cleared_until": (NOW - timedelta(days=1)).date(),
        "suspended": Suspension(reason="bekymring", at=suspended_since, by="k@x.dk"),
        "activity_link_id": "L-a",
        "still_active_at": NOW,
        "consents": {
            "privacy": {"version": "2026-01", "given_at": NOW, "given_by": "applicant", "recorded_by": "applicant"}
        },
    }
    # applied long before the stage began: a projection without applied_at would read stage_since
    stored = cleared_volunteer("v1", record=record, **EVERY_DETAIL).model_copy(
        update={"created_at": NOW - timedelta(days=90)}
    )
    assert not ({*type(stored).model_fields} - {*stored.model_fields_set} - {"details"}), "every field set"
    repository.create_person(stored, applied())
    (projected,) = repository.get_people(VOLUNTEER, ["v1"], only_details=("postcode",))
    assert projected == stored.model_copy(update={"details": VolunteerDetails(postcode="2100")})


def test_a_young_persons_wishes_of_a_volunteer_are_read_and_their_own_words_are_not(repository):
    repository.create_person(
        confirmed_young_person(
            "y1",
            first_name="Sara",
            postcode="8000",
            wishes="En at gå ture med",
            preferences={"volunteer_gender": "female", "volunteer_age": "35-50"},
            contact_adult_name="Lise Berg",
            contact_adult_email="lise@kommune.example",
        ),
        applied(),
    )
    (projected,) = repository.get_people(YOUTH, ["y1"], only_details=("postcode", "preferences"))
    assert projected.details == YouthDetails(
        postcode="8000", preferences={"volunteer_gender": "female", "volunteer_age": "35-50"}
    )  # no name, no free-text wishes, no contact adult
    assert projected.stage is Stage.WAITING_FOR_MATCH


@pytest.mark.parametrize("details", [("postcode", "prefrences"), "postcode", ["postcode"]])
def test_a_detail_that_does_not_exist_is_an_error_not_a_default(repository, details):
    """A misspelt "preferences" would read every young person as wishing nothing of a volunteer."""
    repository.create_person(confirmed_young_person("y1", postcode="8000"), applied())
    with pytest.raises(ValueError):
        repository.get_people(YOUTH, ["y1"], only_details=details)
