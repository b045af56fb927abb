"""Each screening step asks the consultant for what that step needs before it can be approved."""

from datetime import date

from backup.domain.stages import HUMAN_STEPS, Stage
from backup.domain.step_fields import STEP_FIELDS, check_step_fields, recorded_values

TODAY = date(2026, 11, 26)


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
    from backup.web.decision_pages import readable_phone

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
