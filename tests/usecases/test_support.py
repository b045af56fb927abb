"""A match's support on the in-memory adapters: the roles agreement and its confirmation by the
contact adult, check-ins on their schedule with reminders and ops, and the run carried on before a
year. The rules that protect the pair are written as attacks: a forged result, a replayed link, a
check-in on a paused match, support for a proposal that is no match."""

from datetime import date, timedelta

import pytest

from backup.domain.errors import Conflict
from backup.domain.evidence import Evidence
from backup.domain.history import Event, EventKind
from backup.domain.kinds import Party, RecordKind
from backup.domain.links import DeadLink, LinkKind
from backup.domain.stages import Stage
from backup.domain.support import CheckInSchedule, support_execution
from backup.domain.transitions import TransitionRefused
from backup.usecases.closure import Closures
from backup.usecases.concerns import ConcernReports, Concerns
from backup.usecases.pulse import Pulses
from backup.usecases.support import Support

from .test_proposals import OPS, asked, consultant, introducing, pool  # noqa: F401 - the fixtures that make a match

MATCH = RecordKind.MATCH
FIRST, MONTHLY = 1000, 3000
ROLES = {"volunteer_role": "Hverdagsstøtte", "professional_role": "Bolig og økonomi", "contact": "SMS"}
CHECK = {"check_in_date": "2026-11-25", "with_whom": "volunteer,youth", "how": "godt"}


def _support(world):
    """The support function's use cases on the world's adapters."""
    concerns = Concerns(
        world.repository, world.letters, world.steps, world.safeguards, world.settings, world.clock, world.metrics
    )
    schedule = CheckInSchedule(FIRST, MONTHLY)
    return Support(
        world.repository,
        world.letters,
        world.steps,
        world.executions,
        world.settings,
        schedule,
        world.clock,
        world.metrics,
        world.safeguards,
        concerns,
    )


@pytest.fixture
def matched(asked):  # noqa: F811
    world, proposal_id, links = asked
    for party in (Party.YOUTH, Party.VOLUNTEER):
        world.decisions.decide(links[party].link_id, "yes")
    world.proposals.matched(proposal_id)
    world.reports = ConcernReports(world.repository, world.deliverer, world.clock)
    world.support = _support(world)
    world.concerns = world.support.concerns
    world.closures = Closures(
        world.repository,
        world.letters,
        world.safeguards,
        {RecordKind.VOLUNTEER: world.executions, RecordKind.YOUTH: world.executions},
        world.settings,
        world.clock,
        world.metrics,
    )
    world.pulses = Pulses(
        world.repository, world.letters, world.steps, world.settings, CheckInSchedule(FIRST, MONTHLY), world.clock
    )
    world.support.begin(proposal_id)
    return world, proposal_id


def _open(world, proposal_id, kind, token):
    world.results.waiting.add(token)
    world.support.open(proposal_id, kind, token)
    return world.repository.get_link(world.repository.get_proposal(proposal_id).open_link_id)


def _kinds(world, proposal_id):
    return [e.kind for e in world.repository.history(MATCH, proposal_id)]


def test_support_begins_once_for_a_confirmed_match(matched):
    world, proposal_id = matched
    world.support.begin(proposal_id)  # a retried task starts nothing twice
    assert world.executions.names.count(support_execution(proposal_id)) == 1
    assert world.repository.get_proposal(proposal_id).support_run == 1
    assert _kinds(world, proposal_id).count(EventKind.SUPPORT_STARTED) == 1


def test_support_for_a_proposal_that_is_no_match_is_refused_and_alarmed(consultant):  # noqa: F811
    world, proposal_id = consultant
    support = _support(world)
    with pytest.raises(TransitionRefused):
        support.begin(proposal_id)
    assert support_execution(proposal_id) not in world.executions.names
    assert EventKind.SAFEGUARDING_ALARM in _kinds(world, proposal_id)


def test_the_roles_are_recorded_and_the_contact_adult_confirms_them_by_link(matched):
    world, proposal_id = matched
    link = _open(world, proposal_id, LinkKind.ROLES, "roles-1")
    assert [m for m in world.mailer.to("k@rodekors.example") if "aftal rollerne" in m.subject]
    world.decisions.decide(link.link_id, "recorded", "", ROLES)
    assert world.results.resumed[-1] == ("roles-1", {"outcome": "recorded", "link_id": link.link_id})
    assert world.support.confirm(proposal_id, "ROLES", {}, "test") == "recorded"
    world.support.confirm(proposal_id, "ROLES", {}, "test")  # a retry asks the contact adult once
    asked_to_confirm = [m for m in world.mailer.to("k@example.org") if "Bekræft rollefordelingen" in m.subject]
    assert len(asked_to_confirm) == 1
    match = world.repository.get_proposal(proposal_id)
    assert match.roles is not None and match.roles.fields["contact"] == "SMS"
    world.decisions.decide(match.roles_confirm_link_id, "confirmed")
    assert world.repository.get_proposal(proposal_id).roles_confirmed is not None
    with pytest.raises(DeadLink):  # the confirmation is used once
        world.decisions.decide(match.roles_confirm_link_id, "confirmed")


def test_check_ins_fall_due_twice_in_the_first_month_then_monthly(matched):
    world, proposal_id = matched
    started = world.clock()
    assert world.support.next_check_in(proposal_id, started) == (FIRST, False, False)
    assert world.support.due(proposal_id) == (False, False, False, False)  # not yet
    for number in (1, 2, 3):
        world.clock.at += timedelta(seconds=FIRST if number < 3 else MONTHLY)
        assert world.support.due(proposal_id) == (True, False, False, False)
        link = _open(world, proposal_id, LinkKind.CHECK_IN, f"check-{number}")
        assert [m for m in world.mailer.to("k@rodekors.example") if f"opfølgning nr. {number} " in m.subject]
        values = {**CHECK, "activities": "Fodbold", "frequency": "Hver uge"} if number == 1 else CHECK
        world.decisions.decide(link.link_id, "recorded", "Det går fint", values)
        assert world.support.confirm(proposal_id, "CHECK_IN", {}, "test") == "recorded"
        expected = FIRST if number == 1 else MONTHLY  # the second falls due FIRST after the first
        assert world.repository.get_proposal(proposal_id).next_check_in_at == world.clock() + timedelta(
            seconds=expected
        )
    check_ins = world.repository.get_proposal(proposal_id).check_ins
    assert len(check_ins) == 3
    assert world.metrics.counts.count(("CheckInOnTime", Stage.MATCHED)) == 3
    first = min(check_ins.values(), key=lambda c: c.decided_at)
    assert first.fields["activities"] == "Fodbold" and first.fields["how"] == "godt"


def test_a_check_in_nobody_records_reminds_then_tells_ops_then_counts_as_missed(matched):
    world, proposal_id = matched
    link = _open(world, proposal_id, LinkKind.CHECK_IN, "check-1")
    for _ in range(3):
        world.clock.at += timedelta(seconds=60)
        world.support.remind(proposal_id, LinkKind.CHECK_IN)
    assert len([m for m in world.mailer.to("k@rodekors.example") if m.subject.startswith("Påmindelse")]) == 2
    assert [m for m in world.mailer.to(OPS) if "ikke registreret" in m.subject]
    world.clock.at = link.expires_at
    assert world.support.remind(proposal_id, LinkKind.CHECK_IN).expired is True
    world.support.missed(proposal_id)
    match = world.repository.get_proposal(proposal_id)
    assert match.check_ins_missed == 1 and EventKind.CHECK_IN_MISSED in _kinds(world, proposal_id)
    assert [m for m in world.mailer.to("k@rodekors.example") if "blev ikke til noget" in m.subject]
    assert world.support.number(match) == 2


def test_a_result_no_used_link_backs_records_nothing_and_raises_the_alarm(matched):
    world, proposal_id = matched
    _open(world, proposal_id, LinkKind.CHECK_IN, "check-1")
    assert world.support.confirm(proposal_id, "CHECK_IN", {"outcome": "recorded"}, "a direct invoke") == "forged"
    assert EventKind.SAFEGUARDING_ALARM in _kinds(world, proposal_id)
    assert world.repository.get_proposal(proposal_id).check_ins == {}


def test_a_used_check_in_link_replayed_records_nothing_more(matched):
    world, proposal_id = matched
    link = _open(world, proposal_id, LinkKind.CHECK_IN, "check-1")
    world.decisions.decide(link.link_id, "recorded", "", CHECK)
    with pytest.raises(DeadLink):
        world.decisions.decide(link.link_id, "recorded", "", {**CHECK, "how": "svaert"})
    (kept,) = world.repository.get_proposal(proposal_id).check_ins.values()
    assert kept.fields["how"] == "godt"


def test_a_paused_match_gets_no_check_in(matched):
    world, proposal_id = matched
    world.repository.update(MATCH, proposal_id, set={"support_paused": True})
    assert world.support.due(proposal_id) == (False, False, False, False)  # nothing until its time
    world.clock.at += timedelta(seconds=FIRST)
    assert world.support.due(proposal_id) == (False, False, True, False)  # then the consultant looks again
    with pytest.raises(Conflict):  # a direct invoke cannot open one either: the write expects no pause
        _open(world, proposal_id, LinkKind.CHECK_IN, "check-1")
    assert not [m for m in world.mailer.to("k@rodekors.example") if "opfølgning nr." in m.subject]


def test_a_closed_match_ends_its_support(matched):
    world, proposal_id = matched
    world.repository.update(MATCH, proposal_id, set={"stage": Stage.CLOSED})
    assert world.support.next_check_in(proposal_id, world.clock())[2] is True
    assert world.support.due(proposal_id) == (False, True, False, False)


def test_a_run_carries_on_in_a_new_one_before_its_lifetime_is_up(matched):
    world, proposal_id = matched
    lifetime = world.settings.run_lifetime_seconds
    nearly = world.clock() - timedelta(seconds=lifetime - 10)
    assert world.support.next_check_in(proposal_id, nearly) == (10, False, False)  # never past the lifetime
    assert world.support.due(proposal_id)[0] is False  # woken by the lifetime, not by the check-in
    lived = world.clock() - timedelta(seconds=lifetime)
    assert world.support.next_check_in(proposal_id, lived)[1] is True
    assert world.support.continue_run(proposal_id, support_execution(proposal_id)) == 2
    assert world.support.continue_run(proposal_id, support_execution(proposal_id)) == 2  # a retry
    assert world.executions.names.count(support_execution(proposal_id, 2)) == 1
    assert world.executions.started[-1][1] == {"proposal_id": proposal_id, "resume": "check_ins"}
    assert world.repository.get_proposal(proposal_id).support_run == 2


CLOSURE = {
    "closure_kind": "planned",
    "closure_reason": "agreed",
    "exit_youth_date": "2026-11-20",
    "exit_volunteer_date": "2026-11-21",
    "youth_next": "new_volunteer",
    "volunteer_next": "continue",
}


def _closure_recorded(world, proposal_id, fields):
    """A check-in whose consultant chose to end the match, then the closure recorded on its own link."""
    check_in = _open(world, proposal_id, LinkKind.CHECK_IN, "check-1")
    world.decisions.decide(check_in.link_id, "close")
    assert world.support.confirm(proposal_id, "CHECK_IN", {}, "test") == "close"
    closure = _open(world, proposal_id, LinkKind.CLOSURE, "closure-1")
    assert [m for m in world.mailer.to("k@rodekors.example") if "registrér afslutningen" in m.subject]
    world.decisions.decide(closure.link_id, "close", "Godt forløb", fields)
    assert world.support.confirm(proposal_id, "CLOSURE", {}, "test") == "recorded"


def test_a_planned_closure_returns_both_to_the_pool_the_pair_apart_and_tells_everyone_kindly(matched):
    world, proposal_id = matched
    _closure_recorded(world, proposal_id, CLOSURE)
    world.closures.close(proposal_id)
    world.closures.close(proposal_id)  # a retried task sends nothing twice and starts nothing twice
    match = world.repository.get_proposal(proposal_id)
    youth, volunteer = world.repository.get_young_person("y0"), world.repository.get_volunteer("v0")
    assert match.stage is Stage.CLOSED and match.closure.fields["closure_reason"] == "agreed"
    assert youth.stage is Stage.WAITING_FOR_MATCH and "v0" in youth.excluded_volunteers and youth.proposal_id is None
    assert volunteer.stage is Stage.READY_FOR_MATCH and volunteer.proposal_id is None
    assert world.executions.names.count("youth-y0-r2") == 1 and world.executions.names.count("volunteer-v0-r2") == 1
    resumed = {record_id: data for record_id, data, _ in world.executions.started}
    assert resumed["y0"]["resume"] == "pool" and resumed["v0"]["resume"] == "pool"
    letters = [m for m in world.emails if "afsluttet" in m.subject]
    # the young person has no address of their own: their letter goes through the contact adult
    assert sorted(m.to for m in letters) == ["k@example.org", "k@example.org", "v0@example.org"]
    assert ("MatchClosedEarly", Stage.CLOSED) in world.metrics.counts
    # the programme's measure: how long it lasted, why, planned or not, before 12 months (once, on a retry too)
    assert world.metrics.closures == [(0, "agreed", "planned", True)]
    assert None not in world.repository.expiries(MATCH, proposal_id)  # kept for the retention period, then gone


def test_a_volunteer_whose_certificate_ran_out_does_not_return_to_the_pool_after_a_closure(matched):
    world, proposal_id = matched
    world.repository.update(RecordKind.VOLUNTEER, "v0", set={"cleared_until": world.clock().date()})
    _closure_recorded(
        world,
        proposal_id,
        {**CLOSURE, "closure_kind": "unplanned", "closure_reason": "volunteer_stopped", "youth_next": "out"},
    )
    world.closures.close(proposal_id)
    assert world.repository.get_volunteer("v0").stage is Stage.CLOSED
    assert world.repository.get_young_person("y0").stage is Stage.CLOSED
    assert "volunteer-v0-r2" not in world.executions.names
    (letter,) = [m for m in world.mailer.to("v0@example.org") if "afsluttet" in m.subject]
    assert "børneattest" in letter.text


def test_a_match_cannot_be_closed_without_a_closure_recorded_from_its_link(matched):
    world, proposal_id = matched
    with pytest.raises(TransitionRefused):
        world.closures.close(proposal_id, "a direct invoke")
    # a closure written onto the record by anything but its link is no closure either
    forged = Evidence(decision="close", decided_by="x", decided_at=world.clock(), link_id="made-up", fields=CLOSURE)
    world.repository.update(MATCH, proposal_id, set={"closure": forged})
    with pytest.raises(TransitionRefused):
        world.closures.close(proposal_id, "a direct invoke")
    assert world.repository.get_proposal(proposal_id).stage is Stage.MATCHED
    assert world.repository.get_volunteer("v0").stage is Stage.MATCHED
    assert EventKind.SAFEGUARDING_ALARM in _kinds(world, proposal_id)


def test_nobody_leaves_a_match_for_the_pool_without_the_recorded_closure(matched):
    world, _ = matched
    volunteer = world.repository.get_volunteer("v0")
    event = Event(at=world.clock(), kind=EventKind.MATCH_RELEASED)
    with pytest.raises(TransitionRefused):
        world.safeguards.move(volunteer, Stage.READY_FOR_MATCH, event, "a direct invoke")
    assert world.repository.get_volunteer("v0").stage is Stage.MATCHED


def _concern_links(world, proposal_id):
    world.support.start(proposal_id)
    world.support.start(proposal_id)  # a retried start makes no second link and sends no second letter
    return world.repository.get_proposal(proposal_id).concern_links


def _waiting_on_the_schedule(world, proposal_id, token="schedule-1"):
    world.results.waiting.add(token)
    world.support.await_check_in(proposal_id, token)


def test_each_of_the_three_gets_their_own_concern_link_once(matched):
    world, proposal_id = matched
    links = _concern_links(world, proposal_id)
    assert set(links) == {"youth", "volunteer", "contact_adult"} and len(set(links.values())) == 3
    letters = [m for m in world.emails if m.subject == "Hvis du bliver bekymret i BackUp"]
    # the young person has no address of their own: the contact adult's letter is the one they share
    assert sorted(m.to for m in letters) == ["k@example.org", "v0@example.org"]
    assert links["volunteer"] in next(m.text for m in letters if m.to == "v0@example.org")


def test_a_concern_wakes_the_run_at_once_the_consultant_and_ops_hear_once_and_a_pause_stops_check_ins(matched):
    world, proposal_id = matched
    links = _concern_links(world, proposal_id)
    _waiting_on_the_schedule(world, proposal_id)
    assert world.reports.raise_concern(links["volunteer"], "Vi ses næsten ikke", False) is True
    assert world.results.resumed[-1] == ("schedule-1", {"outcome": "concern"})  # no waiting for a reminder
    assert world.reports.raise_concern(links["volunteer"], "Vi ses næsten ikke", False) is True  # a replay
    assert len(world.repository.get_proposal(proposal_id).concerns) == 1
    assert world.support.due(proposal_id) == (False, False, True, False)
    world.support.concerns.raised(proposal_id)
    world.support.concerns.raised(proposal_id)  # a retried task tells nobody twice
    assert world.metrics.counts.count(("ConcernRaised", Stage.MATCHED)) == 1
    alerts = [m for m in world.emails if "bekymring i match" in m.subject]
    assert sorted(m.to for m in alerts) == ["k@rodekors.example", OPS]
    decision = _open(world, proposal_id, LinkKind.CONCERN_DECISION, "decide-1")
    world.decisions.decide(decision.link_id, "pause", "Vi tager en pause")
    assert world.support.confirm(proposal_id, "CONCERN", {}, "test") == "recorded"
    match = world.repository.get_proposal(proposal_id)
    assert match.support_paused and not match.concern_open
    assert world.support.due(proposal_id)[0] is False  # no check-in while paused
    with pytest.raises(Conflict):  # nor by a direct invoke
        _open(world, proposal_id, LinkKind.CHECK_IN, "check-1")
    # a month on, the consultant is asked again: carry on, stay paused, or end
    assert world.support.next_check_in(proposal_id, world.clock())[0] == MONTHLY
    world.clock.at += timedelta(seconds=MONTHLY)
    assert world.support.due(proposal_id) == (False, False, True, False)


def test_a_safeguarding_concern_suspends_the_volunteer_until_a_consultant_clears_them_with_why(matched):
    world, proposal_id = matched
    links = _concern_links(world, proposal_id)
    world.reports.raise_concern(links["contact_adult"], "Noget bekymrende er sket", True)
    world.support.concerns.raised(proposal_id)
    volunteer = world.repository.get_volunteer("v0")
    assert volunteer.suspended is not None and world.repository.get_proposal(proposal_id).support_paused
    assert EventKind.SUSPENDED in [e.kind for e in world.repository.history(RecordKind.VOLUNTEER, "v0")]
    decision = _open(world, proposal_id, LinkKind.CONCERN_DECISION, "decide-1")
    world.decisions.decide(decision.link_id, "continue", "", {"clear_reason": "Talt med alle; en misforståelse"})
    assert world.support.confirm(proposal_id, "CONCERN", {}, "test") == "recorded"
    assert world.repository.get_volunteer("v0").suspended is None
    (cleared,) = [
        e for e in world.repository.history(RecordKind.VOLUNTEER, "v0") if e.kind is EventKind.SUSPENSION_CLEARED
    ]
    assert cleared.by == "k@rodekors.example" and cleared.notes == "Talt med alle; en misforståelse"
    assert not world.repository.get_proposal(proposal_id).support_paused


def test_a_concern_that_ends_the_match_goes_to_the_closure(matched):
    world, proposal_id = matched
    links = _concern_links(world, proposal_id)
    world.reports.raise_concern(links["volunteer"], "Det fungerer ikke", False)
    world.support.concerns.raised(proposal_id)
    decision = _open(world, proposal_id, LinkKind.CONCERN_DECISION, "decide-1")
    world.decisions.decide(decision.link_id, "end")
    assert world.support.confirm(proposal_id, "CONCERN", {}, "test") == "close"
    assert world.repository.get_proposal(proposal_id).closure_requested is not None


def test_a_concern_about_a_match_that_has_ended_is_refused_and_nothing_kept(matched):
    world, proposal_id = matched
    links = _concern_links(world, proposal_id)
    world.repository.update(MATCH, proposal_id, set={"stage": Stage.CLOSED})
    assert world.reports.raise_concern(links["youth"], "Hej", False) is False
    assert world.repository.get_proposal(proposal_id).concerns == {}


def _pulse_letters(world):
    return [m for m in world.emails if m.subject == "Hvordan går det i BackUp?"]


def test_a_monthly_how_is_it_going_a_hard_answer_and_a_silent_round_alert_the_consultant_once(matched):
    world, proposal_id = matched
    _concern_links(world, proposal_id)
    assert world.support.next_check_in(proposal_id, world.clock())[0] == FIRST  # the check-in comes first
    world.clock.at += timedelta(seconds=MONTHLY // 2)
    world.pulses.tick(proposal_id)
    world.pulses.tick(proposal_id)  # a retried tick sends nothing twice
    letters = _pulse_letters(world)
    assert sorted(m.to for m in letters) == ["k@example.org", "v0@example.org"]
    assert all("Jeg er bekymret" in m.text for m in letters)  # every letter after MATCHED carries it
    match = world.repository.get_proposal(proposal_id)
    link_id = match.pulse_links["0001-volunteer"]
    world.decisions.decide(link_id, "svaert", "", {"comment": "Vi skændes", "round_key": "0001-volunteer"})
    with pytest.raises(DeadLink):  # one answer per link
        world.decisions.decide(link_id, "godt", "", {"round_key": "0001-volunteer"})
    world.pulses.tick(proposal_id)
    world.pulses.tick(proposal_id)
    (alert,) = [m for m in world.mailer.to("k@rodekors.example") if "det går svært" in m.subject]
    assert "Vi skændes" in alert.text
    world.clock.at += timedelta(seconds=MONTHLY)
    world.pulses.tick(proposal_id)  # round 2 goes out
    world.clock.at += timedelta(seconds=MONTHLY)
    world.pulses.tick(proposal_id)  # nobody answered round 2: the consultant hears, once
    world.pulses.tick(proposal_id)
    assert len([m for m in world.mailer.to("k@rodekors.example") if "ingen svar" in m.subject]) == 1


def test_a_paused_match_gets_no_how_is_it_going(matched):
    world, proposal_id = matched
    world.repository.update(MATCH, proposal_id, set={"support_paused": True})
    world.clock.at += timedelta(seconds=MONTHLY)
    world.pulses.tick(proposal_id)
    assert not _pulse_letters(world)


def test_when_the_young_person_turns_25_the_match_goes_to_a_planned_closure(matched):
    world, proposal_id = matched
    youth = world.repository.get_young_person("y0")
    born = youth.details.model_copy(update={"birth_date": date(2001, 11, 25)})  # 25 yesterday
    world.repository.update(RecordKind.YOUTH, "y0", set={"details": born})
    assert world.support.due(proposal_id) == (False, False, False, True)
    _open(world, proposal_id, LinkKind.CLOSURE, "closure-1")
    (request,) = [m for m in world.mailer.to("k@rodekors.example") if "registrér afslutningen" in m.subject]
    assert "er fyldt 25 og forlader BackUp" in request.text


def test_every_letter_to_the_three_while_matched_carries_their_own_concern_link(matched):
    from backup.domain.emails import compose

    world, proposal_id = matched
    links = _concern_links(world, proposal_id)
    # any letter, about the match or about the person (a certificate to renew, say), to each of them
    world.letters.send(MATCH, proposal_id, compose("k@example.org", "Om matchet", "Hej"), "contact_adult")
    world.letters.send(RecordKind.VOLUNTEER, "v0", compose("v0@example.org", "Om attesten", "Hej"), "volunteer")
    world.letters.send(MATCH, proposal_id, compose("kons@example.org", "Til konsulenten", "Hej"), "consultant")
    contact_adult, volunteer, staff = world.emails[-3:]
    assert f"Jeg er bekymret: https://backup.example/decisions/{links['contact_adult']}" in contact_adult.text
    assert f"/decisions/{links['volunteer']}" in volunteer.text and "Jeg er bekymret</a>" in volunteer.html
    assert "Jeg er bekymret" not in staff.text  # staff report concerns their own way


def test_each_ones_copy_of_their_data_has_the_matchs_support_and_only_the_concerns_they_raised(matched):
    world, proposal_id = matched
    links = _concern_links(world, proposal_id)
    world.clock.at += timedelta(seconds=FIRST)
    link = _open(world, proposal_id, LinkKind.CHECK_IN, "check-1")
    world.decisions.decide(
        link.link_id, "recorded", "Det går fint", {**CHECK, "activities": "Fodbold", "frequency": "Hver uge"}
    )
    world.support.confirm(proposal_id, "CHECK_IN", {}, "test")
    assert world.reports.raise_concern(links["contact_adult"], "Hun virker trist efter møderne", False) is True
    assert world.reports.raise_concern(links["youth"], "Vi aflyser tit", False) is True
    youth = world.rights.export(RecordKind.YOUTH, "y0", "ops")
    volunteer = world.rights.export(RecordKind.VOLUNTEER, "v0", "ops")
    (youth_support,) = [p["support"] for p in youth["proposals"] if "support" in p]
    (volunteer_support,) = [p["support"] for p in volunteer["proposals"] if "support" in p]
    for support in (youth_support, volunteer_support):
        (check_in,) = support["check_ins"]
        assert check_in["fields"]["activities"] == "Fodbold" and "link_id" not in check_in
    # each sees the concerns they raised themselves; a report about them (the contact adult's) stays
    # with the consultant, who decides what may be given
    assert [c["fields"]["concern"] for c in youth_support["concerns_they_raised"]] == ["Vi aflyser tit"]
    assert volunteer_support["concerns_they_raised"] == []
    assert "trist" not in str(volunteer) + str(youth) and "aflyser" not in str(volunteer)


def test_the_hourly_count_says_how_many_matches_have_a_concern_open_or_are_paused_and_how_long_they_last(matched):
    from backup.usecases.match_measures import count_matches

    world, proposal_id = matched
    world.clock.at += timedelta(days=30)
    assert count_matches(world.repository, world.clock()) == count_matches(world.repository, world.clock())
    before = count_matches(world.repository, world.clock())
    assert (before.matched, before.concerns_open, before.paused) == (1, 0, 0) and before.average_days == 30.0
    links = _concern_links(world, proposal_id)
    world.reports.raise_concern(links["volunteer"], "Vi ses næsten ikke", False)
    after = count_matches(world.repository, world.clock())
    assert (after.matched, after.concerns_open) == (1, 1)  # the two people, MATCHED too, are not counted again
