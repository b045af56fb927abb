"""What the support pages must record before anything is stored: a check-in, the roles, a closure.
Any field may arrive with any type; each problem gets its own Danish message."""

from datetime import date

from backup.domain.closure import check_closure
from backup.domain.links import LinkKind
from backup.domain.support import CheckInSchedule, check_check_in, check_support_decision

TODAY = date(2026, 11, 26)
CLOSURE = {
    "closure_kind": "planned",
    "closure_reason": "age",
    "exit_youth_date": "2026-11-20",
    "exit_volunteer_date": "2026-11-21",
    "youth_next": "out",
    "volunteer_next": "continue",
}


def test_two_check_ins_in_the_first_month_then_monthly():
    schedule = CheckInSchedule(first_seconds=14, monthly_seconds=30)
    assert [schedule.wait_before(n) for n in (1, 2, 3, 4)] == [14, 14, 30, 30]


def test_a_check_in_needs_a_past_date_whom_and_how_and_at_the_first_what_they_will_do():
    values, errors = check_check_in({"check_in_date": "2026-12-01", "with_whom": ["x"], "how": "super"}, TODAY, True)
    assert set(errors) == {"check_in_date", "with_whom", "how", "activities", "frequency"}
    values, errors = check_check_in(
        {"check_in_date": "2026-11-25", "with_whom": ["youth", "volunteer"], "how": "svaert"}, TODAY, False
    )
    assert not errors and values == {"check_in_date": "2026-11-25", "with_whom": "volunteer,youth", "how": "svaert"}


def test_fields_of_the_wrong_type_are_messages_not_errors():
    form = {"check_in_date": ["2026-11-25"], "with_whom": {"a": 1}, "how": 3, "decision": ["recorded"]}
    decision, _, errors = check_support_decision(LinkKind.CHECK_IN, form, TODAY, 1)
    assert errors == {"decision": "Brug knappen nederst på siden for at gemme."}
    _, errors = check_check_in(form, TODAY, True)
    assert set(errors) == {"check_in_date", "with_whom", "how", "activities", "frequency"}
    _, errors = check_closure({k: [v] for k, v in CLOSURE.items()}, TODAY)
    assert set(errors) == set(CLOSURE)


def test_a_closure_names_a_reason_that_fits_whether_it_was_planned():
    assert check_closure(CLOSURE, TODAY) == (CLOSURE, {})
    _, errors = check_closure({**CLOSURE, "closure_kind": "unplanned"}, TODAY)
    assert "closure_reason" in errors
    _, errors = check_closure({**CLOSURE, "youth_next": "new_volunteer"}, TODAY)  # leaving at 25
    assert "youth_next" in errors
    _, errors = check_closure({**CLOSURE, "exit_youth_date": "2026-02-30"}, TODAY)
    assert errors == {"exit_youth_date": "Datoen findes ikke."}
