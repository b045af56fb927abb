"""Each consultant's page is written for the consultant, with the person's data as they need it:
whom to call, how old, what was decided before, and a rejection only with a reason and a yes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from backup.domain.emails import escalation, reminder, step_request
from backup.domain.evidence import Evidence
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.stages import Stage
from backup.domain.step_fields import rejection_unconfirmed
from backup.web.decision_pages import confirm_rejection_page, decided_page, decision_page, step_notes
from tests.factories import NOW, link, volunteer, young_person

TODAY = date(2026, 11, 26)


def referral_check_page(**details: object) -> str:
    youth = young_person(
        "y7",
        Stage.REFERRAL_CHECK,
        first_name="Sofie",
        birth_date="2010-04-03",
        postcode="8200",
        placement="residential_home",
        interests=["music", "gaming", "klatring"],
        wishes="En at gå til koncert med",
        preferences={"volunteer_gender": "female", "volunteer_age": "25-35"},
        availability="biweekly",
        phone="+4522334455",
        contact_adult_name="Lone Berg",
        contact_adult_email="lone.berg@aarhus.dk",
        contact_adult_phone="+4586123456",
        contact_adult_organisation="Opholdsstedet Lyngen",
        **details,
    )
    decision = link("l7", record_id="y7", record_kind=RecordKind.YOUTH, stage=Stage.REFERRAL_CHECK)
    return decision_page(decision, youth, "csrf", TODAY)


def test_the_consultant_checking_a_referral_sees_whom_to_call():
    page = referral_check_page()
    assert "Lone Berg" in page
    assert "Opholdsstedet Lyngen" in page
    assert '<a href="mailto:lone.berg@aarhus.dk">lone.berg@aarhus.dk</a>' in page
    assert '<a href="tel:+4522334455">+45 22 33 44 55</a>' in page
    assert '<a href="tel:+4586123456">+45 86 12 34 56</a>' in page  # the contact adult's own phone
    assert "<h2>Kontaktperson</h2>" in page


def test_the_referral_check_shows_the_young_person_their_placement_wishes_and_preferences():
    page = referral_check_page()
    assert "<h1>Samtale med den unge: Sofie</h1>" in page
    assert "03.04.2010 (16 år)" in page
    assert "8200 Aarhus N" in page
    assert "Opholdssted" in page
    assert "En at gå til koncert med" in page
    assert "en kvinde, alder 25-35" in page
    assert "klatring" in page
    assert "Cirka hver anden uge" in page
    assert "Henvisning y7" in page


def test_the_referral_check_is_not_the_volunteer_template():
    page = referral_check_page()
    for volunteers_wording in (
        "Ansøgeren",
        "Afvis ansøgningen",
        "Adresse",
        "Motivation",
        "Referencer",
        "Telefon</dt><dd></dd>",
    ):
        assert volunteers_wording not in page, volunteers_wording
    assert ">Godkend henvisningen</button>" in page
    assert ">Afvis henvisningen</button>" in page


def test_a_young_person_without_an_email_of_their_own_shows_a_dash_not_an_empty_link():
    page = referral_check_page(email=None)
    assert 'href="mailto:"' not in page
    assert "<dt>E-mail</dt><dd>—</dd>" in page


def test_the_referral_check_email_speaks_of_a_young_persons_referral():
    email = step_request("k@example.org", Stage.REFERRAL_CHECK, "y7", "https://backup.example/decisions/x")
    assert "frivillig ansøger" not in email.text
    assert "ansøgning" not in email.subject
    assert "henvisning y7" in email.subject
    assert "En ung er henvist til BackUp" in email.text
    assert "ansøgning" not in reminder("k@example.org", Stage.REFERRAL_CHECK, "y7", "https://x", 1).text
    ops = escalation("drift@example.org", Stage.REFERRAL_CHECK, "y7", 2).text
    assert "backup-ops show y7 --kind youth" in ops


def test_a_volunteers_step_email_still_speaks_of_the_application():
    email = step_request("k@example.org", Stage.PHONE_SCREENING, "a1", "https://backup.example/decisions/x")
    assert "En frivillig ansøger (ansøgning a1)" in email.text


def screened_volunteer() -> object:
    return volunteer(
        "a1",
        Stage.HOME_VISIT,
        first_name="Mette",
        last_name="Hansen",
        email="mette@example.org",
        phone="+4512345678",
        birth_date="1990-12-01",
        address="Vestergade 1",
        postcode="8000",
        city="Aarhus C",
        record={
            "evidence": {
                Stage.PHONE_SCREENING: Evidence(
                    decision="approve",
                    decided_by="hanna@example.org",
                    decided_at=datetime(2026, 11, 20, 13, 5, tzinfo=UTC),
                    link_id="l0",
                    fields={"motivation_ok": "yes", "references_contacted": "yes"},
                )
            }
        },
    )


def test_a_volunteers_page_has_tap_to_call_and_mail_links_and_the_age():
    page = decision_page(link(stage=Stage.HOME_VISIT), screened_volunteer(), "csrf", TODAY)
    assert '<a href="tel:+4512345678">+45 12 34 56 78</a>' in page
    assert '<a href="mailto:mette@example.org">mette@example.org</a>' in page
    assert "01.12.1990 (35 år)" in page


def test_a_volunteers_page_shows_what_was_decided_at_the_earlier_steps_in_danish_time():
    notes = step_notes(
        [
            Event(at=NOW, kind=EventKind.STEP_OPENED, stage=Stage.PHONE_SCREENING),
            Event(at=NOW, kind=EventKind.APPROVED, stage=Stage.PHONE_SCREENING, notes="God samtale."),
        ]
    )
    page = decision_page(link(stage=Stage.HOME_VISIT), screened_volunteer(), "csrf", TODAY, notes=notes)
    earlier = page[page.index("<h2>Tidligere trin</h2>") :]
    assert "Telefonsamtale" in earlier
    assert "Godkendt 20.11.2026 kl. 14:05 af hanna@example.org." in earlier  # 13:05 UTC is 14:05 in Denmark
    assert "Er begge referencer kontaktet? Ja" in earlier
    assert "Noter: God samtale." in earlier


def test_a_first_step_has_no_earlier_steps_section():
    page = decision_page(link(stage=Stage.PHONE_SCREENING), volunteer("a1", Stage.PHONE_SCREENING), "csrf", TODAY)
    assert "Tidligere trin" not in page


def test_the_reason_is_not_called_optional_when_it_is_needed_to_reject():
    page = decision_page(link(stage=Stage.HOME_VISIT), screened_volunteer(), "csrf", TODAY)
    label = page[page.index('<label for="reason">') :]
    label = label[: label.index("</label>")]
    assert "valgfrit" not in label
    assert "skal udfyldes, hvis du afviser" in label


def test_a_rejection_is_not_recorded_until_the_consultant_confirms_it():
    assert rejection_unconfirmed("reject", {"reason": "Ikke klar"})
    assert not rejection_unconfirmed("reject", {"reason": "Ikke klar", "confirm": "yes"})
    assert not rejection_unconfirmed("approve", {})


def test_the_confirmation_shows_the_reason_and_carries_what_was_written():
    form = {"reason": "Ikke klar til et forløb <nu>", "notes": "Talt med ham", "visit_date": "2026-11-20"}
    page = confirm_rejection_page(link(stage=Stage.HOME_VISIT), screened_volunteer(), "tok", form)
    assert "<h1>Vil du afvise ansøgningen?</h1>" in page
    assert "Ikke klar til et forløb &lt;nu&gt;" in page
    assert '<input type="hidden" name="confirm" value="yes">' in page
    assert '<input type="hidden" name="csrf_token" value="tok">' in page
    assert '<input type="hidden" name="notes" value="Talt med ham">' in page
    assert '<input type="hidden" name="visit_date" value="2026-11-20">' in page
    assert '<button type="submit" name="decision" value="reject">Ja, afvis</button>' in page
    assert 'value="edit"' in page


def test_a_referral_decided_says_what_happens_to_the_young_person_and_the_contact_adult():
    decided = link("l7", record_id="y7", record_kind=RecordKind.YOUTH, stage=Stage.REFERRAL_CHECK)
    approved = decided_page(decided, "approve")
    assert "Henvisningen er godkendt" in approved and "henvisning y7" in approved
    assert "ansøgning" not in approved
    assert "Kontaktpersonen får et venligt svar" in decided_page(decided, "reject")
