"""Each screening step asks the consultant for what that step needs before it can be approved."""

from datetime import date

import pytest

from backup.domain.evidence import Rules
from backup.domain.stages import HUMAN_STEPS, Stage
from backup.domain.step_fields import STEP_FIELDS, recorded_values
from backup.domain.step_fields import check_step_fields as check_fields

TODAY = date(2026, 11, 26)
APPLIED = date(2026, 6, 1)
RULES = Rules(certificate_validity_days=730)


def check_step_fields(stage, decision, data, today=TODAY):
    return check_fields(stage, decision, data, applied_on=APPLIED, today=today, rules=RULES)


def test_every_screening_step_has_its_own_fields():
    assert set(STEP_FIELDS) == set(HUMAN_STEPS)


def test_training_with_fewer_than_two_hours_cannot_be_approved():
    errors = check_step_fields(Stage.TRAINING, "approve", {"completed_date": "2026-11-20", "hours": "1.5"}, TODAY)
    assert "Mindst 2 timers" in errors["hours"]


def test_training_with_two_hours_can_be_approved():
    assert check_step_fields(Stage.TRAINING, "approve", {"completed_date": "2026-11-20", "hours": "2"}, TODAY) == {}


def test_hours_written_with_a_danish_decimal_comma_are_understood():
    assert check_step_fields(Stage.TRAINING, "approve", {"completed_date": "2026-11-20", "hours": "2,5"}, TODAY) == {}


def test_a_phone_screening_is_approved_only_when_every_question_is_answered_yes():
    answers = {
        "motivation_ok": "yes",
        "understands_broken_relations": "no",
        "has_time_for_a_year": "yes",
        "references_contacted": "yes",
    }
    errors = check_step_fields(Stage.PHONE_SCREENING, "approve", answers, TODAY)
    assert list(errors) == ["understands_broken_relations"]


def test_dates_must_be_real_and_not_in_the_future():
    errors = check_step_fields(Stage.HOME_VISIT, "approve", {"visit_date": "2026-12-24", "assessment": "fint"}, TODAY)
    assert "fremtiden" in errors["visit_date"]
    errors = check_step_fields(
        Stage.CHILD_CERTIFICATE, "approve", {"received_date": "i går", "certificate_clean": "yes"}, TODAY
    )
    assert "ÅÅÅÅ-MM-DD" in errors["received_date"]


def test_a_rejection_needs_an_internal_reason_but_not_the_step_fields():
    assert "reason" in check_step_fields(Stage.HOME_VISIT, "reject", {}, TODAY)
    assert check_step_fields(Stage.HOME_VISIT, "reject", {"reason": "Ikke klar endnu"}, TODAY) == {}


def test_an_unknown_decision_is_refused():
    assert "decision" in check_step_fields(Stage.HOME_VISIT, "maybe", {}, TODAY)


def test_only_the_steps_own_fields_go_into_the_audit_trail():
    recorded = recorded_values(Stage.TRAINING, {"completed_date": "2026-11-20", "hours": "6", "csrf_token": "x"})
    assert recorded == {"completed_date": "2026-11-20", "hours": "6"}


def test_the_applicants_phone_number_is_shown_in_groups_for_reading_out():
    from backup.domain.applications import readable_phone

    assert readable_phone("+4512345678") == "+45 12 34 56 78"
    assert readable_phone("+46701234567") == "+46701234567"


def test_the_ops_page_names_the_current_execution_and_how_to_look_it_up():
    from datetime import UTC, datetime

    from backup.domain.kinds import RecordKind
    from backup.domain.links import LinkKind
    from backup.web.decision_pages import ops_page
    from tests.factories import link as a_link
    from tests.factories import volunteer, young_person

    at = datetime(2026, 11, 26, tzinfo=UTC)
    link = a_link(
        "l1",
        LinkKind.OPS,
        "y1",
        RecordKind.YOUTH,
        at,
        sent_to="drift@x.dk",
        created_at=at,
        expires_at=at,
        failed_state="Carry on in a new run",
        error="States.TaskFailed",
    )
    page = ops_page(link, young_person("y1", "WAITING_FOR_MATCH", record={"run": 3}), "csrf")
    assert "udførelsen youth-y1-r3" in page and "backup-ops show y1 --kind youth" in page
    volunteer = ops_page(
        link.model_copy(update={"record_kind": RecordKind.VOLUNTEER}), volunteer("y1", "HOME_VISIT"), "csrf"
    )
    assert "udførelsen volunteer-y1)" in volunteer and "backup-ops show y1</code>" in volunteer


# --- the attacks on the numbers and dates that let a volunteer near a child --------------------------


@pytest.mark.parametrize(
    "hours",
    [
        "NaN",
        "nan",
        "-nan",
        "inf",
        "-inf",
        "Infinity",
        "1e309",
        "1e3",
        "٣",
        "٢٫٥",
        "２",
        "6 timer",
        "",
        " ",
        "2,5,5",
        "-3",
        "0x10",
        "2.555",
    ],
)
def test_training_hours_that_are_not_a_plain_number_are_refused_with_a_danish_message(hours):
    errors = check_step_fields(Stage.TRAINING, "approve", {"completed_date": "2026-11-20", "hours": hours})
    assert errors["hours"] == "Skriv antal timer med cifre, fx 6 eller 2,5."


@pytest.mark.parametrize(
    "hours, message",
    [("1,99", "Mindst 2 timers"), ("0", "Mindst 2 timers"), ("201", "højst 200 timer"), ("999", "højst 200 timer")],
)
def test_training_hours_outside_what_a_course_can_be_are_refused(hours, message):
    errors = check_step_fields(Stage.TRAINING, "approve", {"completed_date": "2026-11-20", "hours": hours})
    assert message in errors["hours"]


@pytest.mark.parametrize("hours", ["2", "2,0", "2.00", "6", "2,5", "200"])
def test_training_hours_within_the_rule_are_accepted(hours):
    assert check_step_fields(Stage.TRAINING, "approve", {"completed_date": "2026-11-20", "hours": hours}) == {}


def test_a_certificate_dated_1995_or_older_than_its_validity_is_refused():
    for received in ("1995-03-01", "2024-11-25", "2026-05-31"):  # older than 730 days, or before the application
        errors = check_step_fields(
            Stage.CHILD_CERTIFICATE, "approve", {"received_date": received, "certificate_clean": "yes"}
        )
        assert "Børneattesten skal være fra efter" in errors["received_date"], received
    assert (
        check_step_fields(
            Stage.CHILD_CERTIFICATE, "approve", {"received_date": "2026-06-01", "certificate_clean": "yes"}
        )
        == {}
    )


@pytest.mark.parametrize(
    "value", ["2026-02-30", "2026-13-01", "26-11-2026", "20261120", "2026-11-20T00:00", "٢٠٢٦-١١-٢٠", "0001-01-01x"]
)
def test_dates_that_do_not_exist_or_are_not_written_as_dates_are_refused(value):
    errors = check_step_fields(Stage.HOME_VISIT, "approve", {"visit_date": value, "assessment": "Fint"})
    assert "ÅÅÅÅ-MM-DD" in errors["visit_date"]


def test_a_home_visit_or_training_before_the_application_is_refused():
    errors = check_step_fields(Stage.HOME_VISIT, "approve", {"visit_date": "2026-05-31", "assessment": "Fint"})
    assert "før ansøgningen (01.06.2026)" in errors["visit_date"]
    errors = check_step_fields(Stage.TRAINING, "approve", {"completed_date": "2020-01-01", "hours": "6"})
    assert "før ansøgningen" in errors["completed_date"]


def test_a_certificate_that_is_not_clean_cannot_be_approved():
    errors = check_step_fields(
        Stage.CHILD_CERTIFICATE, "approve", {"received_date": "2026-11-20", "certificate_clean": "no"}
    )
    assert "Kan kun godkendes, når svaret er ja" in errors["certificate_clean"]
