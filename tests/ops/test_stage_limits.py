import pytest

from backup.domain.stage_limits import (
    DEFAULT_STAGE_LIMIT_DAYS,
    StageLimitError,
    format_stage_limits,
    parse_stage_limits,
)
from backup.domain.stages import Stage


def test_the_defaults_are_the_programmes_limits():
    assert DEFAULT_STAGE_LIMIT_DAYS == {
        Stage.PHONE_SCREENING: 14,
        Stage.HOME_VISIT: 21,
        Stage.CHILD_CERTIFICATE: 30,
        Stage.TRAINING: 60,
        Stage.READY_FOR_MATCH: 120,
        Stage.REFERRAL_CHECK: 14,
        Stage.WAITING_FOR_MATCH: 120,
        Stage.MATCH_PROPOSED: 14,
        Stage.INTRO_MEETING: 30,
    }


def test_text_reads_with_blanks_any_case_and_fractions():
    assert parse_stage_limits(" phone_screening = 0.00001 , HOME_VISIT=3,") == {
        Stage.PHONE_SCREENING: 0.00001,
        Stage.HOME_VISIT: 3.0,
    }
    assert parse_stage_limits("") == {}


def test_the_text_form_reads_back():
    assert parse_stage_limits(format_stage_limits(DEFAULT_STAGE_LIMIT_DAYS)) == DEFAULT_STAGE_LIMIT_DAYS


@pytest.mark.parametrize(
    "text, says",
    [
        ("PHONE_SCREENING", "is not STAGE=DAYS"),
        ("NAPPING=3", "'NAPPING' is not a stage"),
        ("REJECTED=3", "final stage"),
        ("HOME_VISIT=soon", "must be a number of days"),
        ("HOME_VISIT=-1", "zero or more days"),
        ("HOME_VISIT=nan", "zero or more days"),
        ("HOME_VISIT=1,home_visit=2", "twice"),
    ],
)
def test_bad_text_is_one_sentence(text, says):
    with pytest.raises(StageLimitError) as error:
        parse_stage_limits(text)
    assert says in str(error.value) and str(error.value).endswith(".") and "\n" not in str(error.value)
