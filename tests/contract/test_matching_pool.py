"""The matching run's pool: who it may propose, read with only the details matching uses, from
DynamoDB and in memory alike. Matching must see each person exactly as it would from their whole
record, and must never see a volunteer the safeguarding rules keep out, whatever the read left out."""

from __future__ import annotations

import gc
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from backup.domain.evidence import Evidence, Rules
from backup.domain.history import Event, EventKind
from backup.domain.records import Suspension
from backup.domain.settings import DEFAULT_CERTIFICATE_VALIDITY_DAYS
from backup.domain.stages import HUMAN_STEPS, Stage
from tests.factories import NOW, cleared_volunteer, confirmed_young_person, evidence

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "functions" / "matching"))
from pool import collector_paused, read_pool, volunteer_from, young_person_from  # noqa: E402

RULES = Rules(DEFAULT_CERTIFICATE_VALIDITY_DAYS)
REJECTED = Evidence(decision="reject", decided_by="k@x.dk", decided_at=NOW, link_id="L-c", fields={})
TODAY = NOW.date()
VOLUNTEER = {
    "first_name": "Anne",
    "last_name": "Sørensen",
    "email": "anne@example.org",
    "phone": "+4512345678",
    "address": "Blegdamsvej 27",
    "city": "Aarhus C",
    "motivation": "Jeg vil gerne.",
    "postcode": "8000",
    "interests": ["musik", "sport"],
    "availability": "weekly",
    "birth_date": "1980-03-04",
    "gender": "female",
}
YOUNG = {
    "first_name": "Sara",
    "postcode": "8200",
    "interests": ["musik"],
    "availability": "weekly",
    "birth_date": "2008-05-06",
    "wishes": "En at gå ture med",
    "preferences": {"volunteer_gender": "female", "volunteer_age": "35-50"},
    "contact_adult_name": "Lise Berg",
    "contact_adult_email": "lise@kommune.example",
}


def applied():
    return Event(at=NOW, kind=EventKind.APPLIED)


def test_matching_sees_each_person_as_their_whole_record_shows_them(repository):
    volunteer, young = cleared_volunteer("v1", NOW, **VOLUNTEER), confirmed_young_person("y1", NOW, **YOUNG)
    repository.create_person(volunteer, applied())
    repository.create_person(young, applied())
    pool = read_pool(repository, TODAY, RULES)
    assert pool.volunteers == [volunteer_from(volunteer)]  # every detail scoring reads came along
    assert pool.young == [young_person_from(young)]
    assert pool.young[0].preferences.volunteer_gender == "female"  # the wish, a hard rule, came along
    read = pool.youth_records["y1"].details  # and what it does not use, it did not read
    assert (read.first_name, read.wishes, read.contact_adult_email) == ("", "", "")


@pytest.mark.parametrize(
    "why",
    [
        {"suspended": Suspension(reason="bekymring", at=NOW, by="k@x.dk")},
        {"cleared_until": TODAY - timedelta(days=1)},  # the certificate ran out
        {"withdrawal_requested": True},
        {"evidence": {}},  # no consultant ever approved a step
        {"evidence": {**evidence(HUMAN_STEPS), Stage.CHILD_CERTIFICATE: REJECTED}},
    ],
    ids=["suspended", "certificate expired", "withdrawing", "no evidence", "certificate not approved"],
)
def test_a_volunteer_kept_out_by_the_safeguards_is_never_in_the_pool(repository, why):
    repository.create_person(cleared_volunteer("v-ok", NOW, **VOLUNTEER), applied())
    repository.create_person(cleared_volunteer("v-out", NOW, record=why, **VOLUNTEER), applied())
    pool = read_pool(repository, TODAY, RULES)
    assert [v.id for v in pool.volunteers] == ["v-ok"]


def test_the_collector_runs_again_after_the_pool_is_built_even_when_the_build_fails():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the table did not answer")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
