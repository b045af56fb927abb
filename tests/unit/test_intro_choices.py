"""What the consultant can record about the introduction meeting: held on a past date, moved to a
new date, or not going to happen (with a reason); anything else is a message, never a decision."""

from datetime import date

import pytest

from backup.domain.links import LinkKind
from backup.domain.match_choices import check_match_decision
from backup.web.match_pages import intro_page
from tests.factories import link

TODAY = date(2026, 12, 2)
INTRO = link("intro-1", LinkKind.INTRO)


def check(form):
    return check_match_decision(INTRO, None, form, TODAY)  # type: ignore[arg-type]


def test_a_held_meeting_is_recorded_with_its_date():
    assert check({"decision": "held", "intro_date": "2026-11-30"}) == ("held", {"intro_date": "2026-11-30"}, {})


def test_a_moved_meeting_is_recorded_with_its_new_date_and_an_ended_one_with_its_reason():
    assert check({"decision": "rescheduled", "new_date": "2026-12-02"})[2] == {}
    assert check({"decision": "ended", "reason": " Flyttet "}) == ("ended", {"reason": "Flyttet"}, {})


@pytest.mark.parametrize(
    "form, field, words",
    [
        ({"decision": "held", "intro_date": "2026-12-03"}, "intro_date", "fremtiden"),
        ({"decision": "held", "intro_date": "i går"}, "intro_date", "ÅÅÅÅ-MM-DD"),
        ({"decision": "rescheduled", "new_date": "2026-12-01"}, "new_date", "før i dag"),
        ({"decision": "rescheduled"}, "new_date", "nye dato"),
        ({"decision": "ended", "reason": "   "}, "reason", "hvorfor"),
        ({"decision": "matched"}, "decision", "Vælg"),
        ({"decision": ["held"]}, "decision", "Vælg"),
    ],
)
def test_anything_else_is_a_message_on_its_field(form, field, words):
    _, _, errors = check(form)
    assert list(errors) == [field] and words in errors[field]


def test_the_page_offers_the_three_outcomes_and_keeps_what_was_written():
    page = intro_page(INTRO, "Sara", "Mette", "tok", {"decision": "ended", "reason": "Flyttet"}, {})
    for value in ("held", "rescheduled", "ended"):
        assert f'name="decision" value="{value}"' in page
    assert 'value="ended" checked' in page and ">Flyttet</textarea>" in page
    assert 'value="held" id="decision" checked' in intro_page(INTRO, "Sara", "Mette", "tok")
