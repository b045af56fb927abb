"""What every repository promises, on DynamoDB and in memory alike: records are created once,
history only grows, changes are conditional and all-or-nothing, links are used once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from backup.domain.errors import Conflict, NotFound
from backup.domain.evidence import Evidence
from backup.domain.history import Event, EventKind
from backup.domain.kinds import Party, RecordKind
from backup.domain.links import LinkKind, LinkStatus
from backup.domain.proposals import Candidate
from backup.domain.records import ProposalRecord, Volunteer, YoungPerson
from backup.domain.stages import Stage
from backup.domain.support import recorded_set
from backup.usecases.ports import Change, Expect
from tests.factories import NOW, link, volunteer, young_person

VOLUNTEER, YOUTH, MATCH = RecordKind.VOLUNTEER, RecordKind.YOUTH, RecordKind.MATCH


def applied(at=NOW):
    return Event(at=at, kind=EventKind.APPLIED, by="applicant")


def kinds_of(repository, kind, record_id):
    return [e.kind.value for e in repository.history(kind, record_id)]


def proposal(proposal_id="p1", youth_id="y1", volunteer_id="v1"):
    return ProposalRecord(
        id=proposal_id,
        stage=Stage.MATCH_PROPOSED,
        stage_since=NOW,
        created_at=NOW,
        youth_id=youth_id,
        volunteer_id=volunteer_id,
        chosen=Candidate(volunteer_id, 91.5, "tæt på"),
        alternatives=(Candidate("v2", 80.0, "lidt længere væk"),),
    )


# --- records ---------------------------------------------------------------------------------


def test_a_person_is_created_once_with_their_first_event(repository):
    assert repository.create_person(volunteer("a1", first_name="Mette", interests=["football"]), applied())
    assert not repository.create_person(volunteer("a1", first_name="Other"), applied())
    found = repository.get_volunteer("a1")
    assert isinstance(found, Volunteer) and found.details.first_name == "Mette"
    assert found.details.interests == ("football",) and found.stage is Stage.APPLIED
    assert kinds_of(repository, VOLUNTEER, "a1") == ["APPLIED"]


def test_each_kind_reads_back_as_its_own_model(repository):
    repository.create_person(
        young_person("y1", Stage.WAITING_FOR_MATCH, first_name="Sara", preferences={"volunteer_gender": "female"}),
        applied(),
    )
    found = repository.get_person(YOUTH, "y1")
    assert isinstance(found, YoungPerson) and found.details.preferences.volunteer_gender == "female"
    assert repository.get_young_person("y1") == found
    with pytest.raises(NotFound):
        repository.get_volunteer("y1")  # a young person's id is not a volunteer's
    with pytest.raises(NotFound):
        repository.get_person(MATCH, "y1")


def test_an_unknown_record_is_not_found_and_cannot_be_changed(repository):
    with pytest.raises(NotFound):
        repository.get_record(VOLUNTEER, "nobody")
    with pytest.raises((NotFound, Conflict)):
        repository.update(VOLUNTEER, "nobody", set={"consultant": "k@x.dk"})
    assert repository.get_people(VOLUNTEER, ["nobody"]) == []


def test_a_change_sets_and_removes_fields_and_adds_its_event(repository):
    repository.create_person(volunteer("a1"), applied())
    repository.update(
        VOLUNTEER,
        "a1",
        set={"stage": Stage.PHONE_SCREENING, "stage_since": NOW, "open_link_id": "L1", "consultant": "k@x.dk"},
        event=Event(at=NOW + timedelta(minutes=1), kind=EventKind.STEP_OPENED, stage=Stage.PHONE_SCREENING),
    )
    found = repository.get_volunteer("a1")
    assert (found.stage, found.open_link_id, found.consultant) == (Stage.PHONE_SCREENING, "L1", "k@x.dk")
    repository.update(VOLUNTEER, "a1", set={"open_link_id": None}, remove=("consultant",))
    found = repository.get_volunteer("a1")
    assert found.open_link_id is None and found.consultant is None
    assert kinds_of(repository, VOLUNTEER, "a1") == ["APPLIED", "STEP_OPENED"]


def test_a_change_to_a_field_the_record_does_not_have_is_refused(repository):
    repository.create_person(volunteer("a1"), applied())
    with pytest.raises(ValueError, match="no field"):
        repository.update(VOLUNTEER, "a1", set={"stagee": Stage.TRAINING})
    assert repository.get_volunteer("a1").stage is Stage.APPLIED


@pytest.mark.parametrize(
    "expect",
    [
        Expect.stage(Stage.TRAINING),
        Expect(held_by="p1"),
        Expect(open_link="L9"),
        Expect(unset=frozenset({"withdraw_link_id"})),
        Expect(run_below=2),
    ],
)
def test_a_change_whose_expectation_fails_writes_nothing(repository, expect):
    repository.create_person(
        volunteer("a1", record={"withdraw_link_id": "W1", "run": 2, "proposal_id": "p2", "open_link_id": "L1"}),
        applied(),
    )
    with pytest.raises(Conflict):
        repository.update(
            VOLUNTEER, "a1", set={"consultant": "k@x.dk"}, expect=expect, event=Event(at=NOW, kind=EventKind.REASSIGNED)
        )
    assert repository.get_volunteer("a1").consultant is None
    assert kinds_of(repository, VOLUNTEER, "a1") == ["APPLIED"]


def test_expectations_that_hold_let_the_change_through(repository):
    repository.create_person(volunteer("a1", Stage.READY_FOR_MATCH, record={"open_link_id": "L1"}), applied())
    repository.update(
        VOLUNTEER,
        "a1",
        set={"run": 2},
        expect=Expect(
            stages=frozenset({Stage.READY_FOR_MATCH, Stage.TRAINING}),
            free=True,
            open_link="L1",
            unset=frozenset({"withdrawal_requested", "withdraw_link_id"}),
            run_below=2,
        ),
    )
    assert repository.get_volunteer("a1").run == 2
    with pytest.raises(Conflict):
        repository.update(VOLUNTEER, "a1", set={"run": 2}, expect=Expect(run_below=2))


def test_several_records_change_together_or_not_at_all(repository):
    repository.create_person(young_person("y1", Stage.WAITING_FOR_MATCH), applied())
    repository.create_person(volunteer("v1", Stage.READY_FOR_MATCH, record={"proposal_id": "other"}), applied())
    claimed = Event(at=NOW, kind=EventKind.MATCH_PROPOSED)
    claim = {"stage": Stage.MATCH_PROPOSED, "proposal_id": "p1"}
    with pytest.raises(Conflict):
        repository.change_together(
            [
                Change(YOUTH, "y1", claim, event=claimed, expect=Expect(free=True)),
                Change(VOLUNTEER, "v1", claim, event=claimed, expect=Expect(free=True)),  # held by another
            ],
            new_proposal=proposal(),
            new_proposal_event=claimed,
        )
    assert repository.get_young_person("y1").proposal_id is None
    with pytest.raises(NotFound):
        repository.get_proposal("p1")
    assert kinds_of(repository, YOUTH, "y1") == ["APPLIED"]
    repository.update(VOLUNTEER, "v1", set={"proposal_id": None})
    repository.change_together(
        [
            Change(YOUTH, "y1", claim, event=claimed, expect=Expect(free=True)),
            Change(VOLUNTEER, "v1", claim, event=claimed, expect=Expect(free=True)),
        ],
        new_proposal=proposal(),
        new_proposal_event=claimed,
    )
    stored = repository.get_proposal("p1")
    assert stored == proposal() and stored.candidates[1].volunteer_id == "v2"
    assert repository.get_volunteer("v1").proposal_id == "p1"
    assert kinds_of(repository, MATCH, "p1") == ["MATCH_PROPOSED"]
    with pytest.raises(Conflict):  # the same proposal id twice
        repository.change_together([], new_proposal=proposal())


def test_a_proposals_own_fields_change_like_a_persons(repository):
    repository.change_together([], new_proposal=proposal())
    repository.update(
        MATCH,
        "p1",
        set={"volunteer_id": "v2", "answer_links": {Party.YOUTH: "Ly", Party.VOLUNTEER: "Lv"}, "answers": {}},
    )
    found = repository.get_proposal("p1")
    assert found.volunteer_id == "v2" and found.answer_links[Party.VOLUNTEER] == "Lv"


def test_two_answers_at_the_same_moment_are_both_kept(repository):
    repository.change_together([], new_proposal=proposal())
    with pytest.raises(NotFound):  # nobody has been asked yet
        repository.record_answer("p1", Party.YOUTH, "yes")
    repository.update(MATCH, "p1", set={"answer_links": {Party.YOUTH: "Ly", Party.VOLUNTEER: "Lv"}, "answers": {}})
    threads = [
        threading.Thread(target=repository.record_answer, args=("p1", party, "yes"))
        for party in (Party.YOUTH, Party.VOLUNTEER)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert repository.get_proposal("p1").answers == {Party.YOUTH: "yes", Party.VOLUNTEER: "yes"}


# --- history and retention -------------------------------------------------------------------


def test_the_history_keeps_every_event_in_order_even_two_in_one_microsecond(repository):
    repository.create_person(volunteer("a1"), applied())
    for minutes, stage in enumerate((Stage.PHONE_SCREENING, Stage.HOME_VISIT), start=1):
        repository.update(
            VOLUNTEER,
            "a1",
            set={"stage": stage},
            event=Event(at=NOW + timedelta(minutes=minutes), kind=EventKind.STEP_OPENED, stage=stage),
        )
    repository.add_event(VOLUNTEER, "a1", Event(at=NOW + timedelta(minutes=3), kind=EventKind.REMINDER_SENT))
    repository.add_event(VOLUNTEER, "a1", Event(at=NOW + timedelta(minutes=3), kind=EventKind.REMINDER_SENT))
    history = repository.history(VOLUNTEER, "a1")
    assert [(e.kind.value, e.stage.value if e.stage else None) for e in history] == [
        ("APPLIED", None),
        ("STEP_OPENED", "PHONE_SCREENING"),
        ("STEP_OPENED", "HOME_VISIT"),
        ("REMINDER_SENT", None),
        ("REMINDER_SENT", None),
    ]


def test_an_ended_trail_is_stamped_whole_once_and_a_late_event_takes_its_expiry(repository):
    repository.create_person(volunteer("a1"), applied())
    repository.add_event(VOLUNTEER, "a1", Event(at=NOW, kind=EventKind.REMINDER_SENT))
    assert repository.expiries(VOLUNTEER, "a1") == [None, None, None]  # someone in progress is kept
    repository.update(VOLUNTEER, "a1", set={"stage": Stage.REJECTED, "expires_at": 2_000_000_000})
    assert repository.expire_trail(VOLUNTEER, "a1", 2_000_000_000) == 2
    assert repository.expire_trail(VOLUNTEER, "a1", 2_000_000_000) == 0
    repository.add_event(VOLUNTEER, "a1", Event(at=NOW, kind=EventKind.EMAIL_BOUNCED))  # a late bounce
    assert repository.expiries(VOLUNTEER, "a1") == [2_000_000_000] * 4


def test_people_waiting_in_a_stage_are_listed_longest_waiting_first(repository):
    for person_id, hours in (("late", 2), ("early", 0), ("elsewhere", 1)):
        stage = Stage.HOME_VISIT if person_id != "elsewhere" else Stage.TRAINING
        repository.create_person(volunteer(person_id, stage, NOW + timedelta(hours=hours)), applied())
    repository.create_person(young_person("y1", Stage.HOME_VISIT, NOW + timedelta(hours=1)), applied())
    waiting = repository.waiting_in_stage(Stage.HOME_VISIT)
    assert [(w.kind, w.id) for w in waiting] == [(VOLUNTEER, "early"), (YOUTH, "y1"), (VOLUNTEER, "late")]
    before = repository.waiting_in_stage(Stage.HOME_VISIT, since_before=NOW + timedelta(hours=1))
    assert [w.id for w in before] == ["early"]


# --- links -----------------------------------------------------------------------------------


def a_link(**changes):
    return link("L1", LinkKind.DECISION, "a1", VOLUNTEER, stage=Stage.HOME_VISIT, task_token="token-1", **changes)


def test_a_link_keeps_its_token_server_side_and_is_used_once(repository):
    repository.create_person(volunteer("a1"), applied())
    repository.put_link(a_link(), NOW + timedelta(days=30))
    stored = repository.get_link("L1")
    assert stored == a_link() and stored.task_token == "token-1" and "token-1" not in repr(stored)
    event = Event(at=NOW + timedelta(minutes=1), kind=EventKind.APPROVED, by="k@x.dk")
    repository.use_link_once(stored, "approve", "k@x.dk", NOW, event)
    with pytest.raises(Conflict):
        repository.use_link_once(stored, "reject", "k@x.dk", NOW, event)
    used = repository.get_link("L1")
    assert used.status is LinkStatus.USED and used.decision == "approve" and used.decided_at == NOW
    assert kinds_of(repository, VOLUNTEER, "a1") == ["APPLIED", "APPROVED"]
    assert repository.get_link("no-such-link") is None


def test_concurrent_uses_of_one_link_let_exactly_one_through(repository):
    repository.create_person(volunteer("a1"), applied())
    repository.put_link(a_link(), NOW + timedelta(days=30))
    outcomes = []

    def use(decision):
        try:
            repository.use_link_once(a_link(), decision, "k@x.dk", NOW, Event(at=NOW, kind=EventKind.APPROVED))
            outcomes.append("won")
        except Conflict:
            outcomes.append("lost")

    threads = [threading.Thread(target=use, args=(d,)) for d in ("approve", "reject") * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost"] * 7 + ["won"]
    assert kinds_of(repository, VOLUNTEER, "a1").count("APPROVED") == 1


def test_an_expired_link_cannot_be_used_even_if_still_open(repository):
    repository.create_person(volunteer("a1"), applied())
    repository.put_link(a_link(), NOW + timedelta(days=30))
    with pytest.raises(Conflict):
        repository.use_link_once(
            a_link(), "approve", "k@x.dk", NOW + timedelta(days=6), Event(at=NOW, kind=EventKind.APPROVED)
        )
    assert kinds_of(repository, VOLUNTEER, "a1") == ["APPLIED"]


def test_a_waiting_step_swaps_its_token_only_while_its_link_is_open(repository):
    repository.create_person(volunteer("a1"), applied())
    repository.put_link(a_link(), NOW + timedelta(days=30))
    repository.refresh_token("L1", "token-2")
    assert repository.get_link("L1").task_token == "token-2"
    assert repository.invalidate_link("L1", "withdrawn")
    assert not repository.invalidate_link("L1", "withdrawn")
    dead = repository.get_link("L1")
    assert dead.status is LinkStatus.INVALIDATED and dead.invalid_reason == "withdrawn" and dead.task_token is None
    with pytest.raises(Conflict):
        repository.refresh_token("L1", "token-3")


# --- a person's rights ---------------------------------------------------------------------------


def test_an_event_for_a_record_that_is_gone_is_refused_and_not_kept(repository):
    with pytest.raises(NotFound):
        repository.add_event(VOLUNTEER, "erased", Event(at=NOW, kind=EventKind.REMINDER_SENT))
    repository.create_person(volunteer("erased"), applied())
    assert repository.delete_record(VOLUNTEER, "erased") == 2  # the record and its one event
    with pytest.raises(NotFound):
        repository.get_volunteer("erased")
    with pytest.raises(NotFound):
        repository.add_event(VOLUNTEER, "erased", Event(at=NOW, kind=EventKind.REMINDER_SENT))


def test_a_persons_own_link_is_kept_until_their_journey_ends_then_expires_with_it(repository):
    repository.create_person(volunteer("a1"), applied())
    repository.put_link(link("own", LinkKind.WITHDRAW, "a1"), None)
    repository.update(VOLUNTEER, "a1", set={"withdraw_link_id": "own"})
    repository.put_link(link("step", LinkKind.DECISION, "a1"), NOW + timedelta(days=30))
    repository.expire_trail(VOLUNTEER, "a1", 1_900_000_000)
    assert link_expiry(repository, "own") == 1_900_000_000
    assert link_expiry(repository, "step") == int((NOW + timedelta(days=30)).timestamp())


def link_expiry(repository, link_id):
    if hasattr(repository, "link_expiry"):
        return int(repository.link_expiry(link_id).timestamp())
    item = repository.table.get_item(Key={"pk": f"LINK#{link_id}", "sk": "LINK"})["Item"]
    return int(item["expires_at"])


def test_the_proposals_naming_someone_are_found_as_chosen_alternative_or_young_person(repository):
    repository.change_together([], new_proposal=proposal("p1", "y1", "v1"))
    repository.change_together([], new_proposal=proposal("p2", "y2", "v3"))
    assert {p.id for p in repository.proposals_naming("v1")} == {"p1"}
    assert {p.id for p in repository.proposals_naming("v2")} == {"p1", "p2"}  # an alternative in both
    assert {p.id for p in repository.proposals_naming("y2")} == {"p2"}
    assert repository.proposals_naming("nobody") == []


def test_the_links_about_records_are_found_and_deleted(repository):
    repository.put_link(link("l1", record_id="a1"), NOW + timedelta(days=30))
    repository.put_link(link("l2", record_id="p1", record_kind=MATCH, party=Party.VOLUNTEER), NOW)
    repository.put_link(link("l3", record_id="other"), NOW)
    assert {x.link_id for x in repository.links_about({"a1", "p1"})} == {"l1", "l2"}
    repository.delete_link("l1")
    assert repository.get_link("l1") is None and {x.link_id for x in repository.links_about({"a1"})} == set()


def test_scrubbing_takes_a_persons_values_out_of_what_stays(repository):
    from backup.domain.erasure import Scrubber

    repository.create_person(young_person("y1", first_name="Sara"), applied())
    repository.add_event(
        YOUTH, "y1", Event(at=NOW, kind=EventKind.MATCH_PROPOSED, notes="Mødte Zorbalina", details={"with": "v1"})
    )
    repository.change_together([], new_proposal=proposal("p1", "y1", "v1"))
    repository.put_link(link("l1", record_id="p1", record_kind=MATCH, sent_to="zorbalina@example.org"), NOW)
    repository.create_person(volunteer("v9", first_name="Zorbalina"), applied())  # someone else, same name
    scrubber = Scrubber("v1", "slettet-1", ["zorbalina@example.org", "Zorbalina"])
    scrubbed, _ = repository.scrub_everywhere(scrubber, {(MATCH, "p1"), (YOUTH, "y1")})
    assert scrubbed >= 3
    assert repository.get_volunteer("v9").first_name == "Zorbalina"  # another person's own record stays whole
    (proposed,) = [e for e in repository.history(YOUTH, "y1") if e.kind is EventKind.MATCH_PROPOSED]
    assert proposed.notes == "Mødte [slettet]" and proposed.details == {"with": "slettet-1"}
    assert repository.get_proposal("p1").volunteer_id == "slettet-1"
    assert repository.get_link("l1").sent_to == "[slettet]"
    assert repository.get_young_person("y1").first_name == "Sara"  # nobody else's data changes


# --- the public forms' daily limit -----------------------------------------------------------------

SENDER = "9f" * 32  # a digest of an address, as the use case passes it; never the address
DAY = NOW.date()


def test_a_days_submissions_are_counted_up_to_the_limit_and_the_next_one_is_refused(repository):
    assert [repository.count_submission(VOLUNTEER, SENDER, DAY, f"s{n}", 3) for n in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_the_same_submission_again_is_admitted_and_not_counted_twice(repository):
    assert repository.count_submission(VOLUNTEER, SENDER, DAY, "double-click", 3)
    assert repository.count_submission(VOLUNTEER, SENDER, DAY, "double-click", 3)
    assert repository.count_submission(VOLUNTEER, SENDER, DAY, "second", 3)
    assert repository.count_submission(VOLUNTEER, SENDER, DAY, "third", 3)
    assert not repository.count_submission(VOLUNTEER, SENDER, DAY, "fourth", 3)
    # over the limit, a submission that was counted still gets through (to its stored answer)
    assert repository.count_submission(VOLUNTEER, SENDER, DAY, "double-click", 3)
    assert not repository.count_submission(VOLUNTEER, SENDER, DAY, "fourth", 3)


def test_each_address_day_and_form_has_its_own_count(repository):
    for n in range(3):
        assert repository.count_submission(VOLUNTEER, SENDER, DAY, f"s{n}", 3)
    assert not repository.count_submission(VOLUNTEER, SENDER, DAY, "more", 3)
    assert repository.count_submission(VOLUNTEER, "a0" * 32, DAY, "more", 3)
    assert repository.count_submission(VOLUNTEER, SENDER, DAY + timedelta(days=1), "more", 3)
    assert repository.count_submission(YOUTH, SENDER, DAY, "more", 3)


def test_ten_submissions_at_once_are_counted_to_the_limit_and_no_further(repository):
    results: list[bool] = []
    start = threading.Barrier(10)

    def submit(n: int) -> None:
        start.wait()
        results.append(repository.count_submission(VOLUNTEER, SENDER, DAY, f"s{n}", 3))

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True] * 3


def test_the_same_submission_ten_times_at_once_is_counted_once(repository):
    results: list[bool] = []
    start = threading.Barrier(10)

    def submit() -> None:
        start.wait()
        results.append(repository.count_submission(VOLUNTEER, SENDER, DAY, "same", 3))

    threads = [threading.Thread(target=submit) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 10
    assert repository.count_submission(VOLUNTEER, SENDER, DAY, "second", 3)
    assert repository.count_submission(VOLUNTEER, SENDER, DAY, "third", 3)
    assert not repository.count_submission(VOLUNTEER, SENDER, DAY, "fourth", 3)


# --- a match's support (backup.usecases.support) ------------------------------------------------


def test_a_matchs_support_keeps_each_check_in_and_concern_under_its_own_key_and_guards_a_pause(repository):
    repository.change_together([], new_proposal=proposal().model_copy(update={"stage": Stage.MATCHED}))
    # the support run's first write makes the maps each key is set in
    repository.update(
        MATCH,
        "p1",
        set={"support_run": 1, "check_ins": {}, "concerns": {}, "concern_links": {}},
        expect=Expect(stages=frozenset({Stage.MATCHED}), unset=frozenset({"support_run"})),
    )
    with pytest.raises(Conflict):  # begun once
        repository.update(MATCH, "p1", set={"support_run": 1}, expect=Expect(unset=frozenset({"support_run"})))
    repository.put_link(link("c1", LinkKind.CHECK_IN, "p1", MATCH), None)
    used = repository.get_link("c1")
    evidence = Evidence(decision="recorded", decided_by="k", decided_at=NOW, link_id="c1", fields={"how": "godt"})
    event = Event(at=NOW, kind=EventKind.CHECK_IN, by="k")
    repository.use_link_once(
        used, "recorded", "k", NOW, event, recorded_set(LinkKind.CHECK_IN, used.created_at, evidence)
    )
    repository.update(MATCH, "p1", set={"concern_links.volunteer": "x1", "check_ins_missed": 1})
    match = repository.get_proposal("p1")
    assert [c.fields for c in match.check_ins.values()] == [{"how": "godt"}]
    assert match.concern_links == {"volunteer": "x1"} and match.check_ins_missed == 1
    repository.update(MATCH, "p1", set={"support_paused": True})
    with pytest.raises(Conflict):  # no check-in step opens on a paused match
        repository.update(MATCH, "p1", set={"open_link_id": "c2"}, expect=Expect(unset=frozenset({"support_paused"})))
