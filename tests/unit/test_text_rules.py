"""What a free text in the forms may hold. A one-line field (a name, an address, a reference, ...)
never carries a line break, a hidden or reordering character, or a link into a Red Cross email;
each refusal names the field. A multi-line field (motivation, experience, wishes) keeps the
person's line breaks and may mention a website, but no control or reordering characters."""

from datetime import date, timedelta

import pytest

from backup.domain import emails
from backup.domain.applications import parse_application
from backup.domain.referrals import parse_referral
from backup.domain.text_rules import one_line

from .test_applications import valid

TODAY = date(2026, 11, 26)

# a valid application, as the form sends it (the application rules' own tests build it)
APPLICATION = valid(interests=["football", "brætspil"], experience="Fodboldtræner i seks år.")
REFERRAL = {
    "first_name": "Sara",
    "birth_date": "2010-03-14",
    "postcode": "8000",
    "placement": "foster_family",
    "interests": ["football"],
    "wishes": "En rolig voksen, der vil gå ture.",
    "availability": "weekly",
    "email": "sara@example.org",
    "phone": "12345678",
    "contact_adult_name": "Lone Berg",
    "contact_adult_email": "lone@example.org",
    "contact_adult_phone": "+45 86 12 34 56",
    "contact_adult_organisation": "Opholdsstedet Lyngly",
    "guardian_name": "Jens Berg",
    "guardian_role": "municipality",
    "guardian_how": "written",
    "guardian_date": (TODAY - timedelta(days=3)).isoformat(),
    "motivated": True,
    "no_active_substance_abuse": True,
    "can_meet_without_professional_support": True,
    "consent": True,
}


def application_errors(**changes):
    application, errors = parse_application({**APPLICATION, **changes}, TODAY)
    assert application is None, changes
    return errors


def referral_errors(**changes):
    referral, errors = parse_referral({**REFERRAL, **changes}, TODAY)
    assert referral is None, changes
    return errors


def test_the_samples_are_valid():
    assert parse_application(APPLICATION, TODAY)[1] == {}
    assert parse_referral(REFERRAL, TODAY)[1] == {}


# --- one-line fields ---------------------------------------------------------------------------------

APPLICATION_LINES = {
    "first_name": "Fornavnet",
    "last_name": "Efternavnet",
    "email": "E-mailadressen",
    "phone": "Telefonnummeret",
    "address": "Adressen",
    "postcode": "Postnummeret",
    "city": "Bynavnet",
}
REFERRAL_LINES = {
    "first_name": "Fornavnet",
    "email": "E-mailadressen",
    "phone": "Telefonnummeret",
    "contact_adult_name": "Navnet",
    "contact_adult_email": "E-mailadressen",
    "contact_adult_organisation": "Arbejdspladsens navn",
    "guardian_name": "Navnet",
}
BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"]
INVISIBLE = ["\u200b", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2060", "\u2064", "\u2066", "\ufeff"]
CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\t"]


def inside(value: str, char: str) -> str:
    """The character in the middle of the field's valid value (at the ends, whitespace is trimmed)."""
    middle = len(value) // 2
    return value[:middle] + char + value[middle:]


@pytest.mark.parametrize("char", BREAKS, ids=repr)
@pytest.mark.parametrize("field, label", APPLICATION_LINES.items())
def test_an_applicants_one_line_field_refuses_a_line_break_and_names_the_field(field, label, char):
    message = application_errors(**{field: inside(APPLICATION[field], char)})[field]
    assert message == f"{label} skal stå på én linje. Fjern linjeskiftet, og prøv igen."


@pytest.mark.parametrize("char", INVISIBLE, ids=repr)
@pytest.mark.parametrize("field, label", APPLICATION_LINES.items())
def test_an_applicants_one_line_field_refuses_invisible_and_reordering_characters(field, label, char):
    message = application_errors(**{field: inside(APPLICATION[field], char)})[field]
    assert message.startswith(f"{label} indeholder usynlige tegn")


@pytest.mark.parametrize("char", CONTROLS, ids=repr)
@pytest.mark.parametrize("field, label", APPLICATION_LINES.items())
def test_an_applicants_one_line_field_refuses_control_characters(field, label, char):
    message = application_errors(**{field: inside(APPLICATION[field], char)})[field]
    assert message.startswith(f"{label} indeholder et styretegn")


@pytest.mark.parametrize("char", ["\n", "\u202e", "\x00"], ids=repr)
@pytest.mark.parametrize("field, label", REFERRAL_LINES.items())
def test_a_referrals_one_line_fields_refuse_the_same_and_name_the_field(field, label, char):
    message = referral_errors(**{field: inside(REFERRAL[field], char)})[field]
    assert message.startswith(label)


@pytest.mark.parametrize(
    "link",
    [
        "https://svindel.example/login",
        "http://svindel.example",
        "HTTPS://SVINDEL.EXAMPLE",
        "www.svindel.dk",
        "WWW.svindel.dk",
        "ftp://svindel.example",
        "ｗｗｗ．svindel．dk",  # full-width, as a mail program still reads it
    ],
)
@pytest.mark.parametrize("field", ["first_name", "last_name", "address", "city"])
def test_an_applicants_name_and_address_never_carry_a_link(field, link):
    message = application_errors(**{field: f"{APPLICATION[field]} {link}"})[field]
    assert "må ikke indeholde links eller webadresser" in message


@pytest.mark.parametrize("field", ["first_name", "contact_adult_name", "contact_adult_organisation", "guardian_name"])
def test_a_referral_never_carries_a_link_in_a_name(field):
    message = referral_errors(**{field: f"{REFERRAL[field]} https://svindel.example"})[field]
    assert "må ikke indeholde links eller webadresser" in message


@pytest.mark.parametrize("name", ["Mette svindel.dk", "Refund-RodeKors.com", "bit.ly"])
def test_a_persons_name_never_carries_a_bare_web_address(name):
    assert "webadresser" in application_errors(first_name=name)["first_name"]
    assert "webadresser" in referral_errors(contact_adult_name=name)["contact_adult_name"]


@pytest.mark.parametrize("name", ["H.C. Andersen", "Anne-Marie", "O'Brien", "Zoë Ørsted-Ågård", "Đặng Thị", "محمد"])
def test_real_names_pass(name):
    application, errors = parse_application({**APPLICATION, "first_name": name}, TODAY)
    assert errors == {} and application is not None and application.first_name == name


def test_a_reference_and_a_free_interest_are_one_line_without_links():
    assert application_errors(references=["Anne Jensen,\n87654321", "Bo Holm, bo@example.org"])["references"] == (
        "Referencen skal stå på én linje. Fjern linjeskiftet, og prøv igen."
    )
    assert "webadresser" in application_errors(references=["Anne www.x.dk 87654321", "Bo Holm, 12345678"])["references"]
    assert application_errors(interests=["football", "brætspil\u202e"])["interests"].startswith("Interessen")
    assert "webadresser" in application_errors(interests=["https://x.example"])["interests"]


def test_whitespace_around_a_one_line_value_is_only_trimmed():
    application, errors = parse_application({**APPLICATION, "first_name": "\n Mette\t\r\n"}, TODAY)
    assert errors == {} and application is not None and application.first_name == "Mette"


def test_a_phone_number_is_ascii_digits():
    assert "telefonnummer" in application_errors(phone="١٢٣٤٥٦٧٨")["phone"]
    assert "telefonnummer" in application_errors(phone="１２３４５６７８")["phone"]


# --- multi-line fields -------------------------------------------------------------------------------


def test_motivation_keeps_line_breaks_and_tabs_as_the_browser_sends_them():
    text = "Jeg træner U17.\r\n\r\nJeg kan:\r\n\t- lytte\r\n\t- lave mad"
    application, errors = parse_application({**APPLICATION, "motivation": text}, TODAY)
    assert errors == {} and application is not None
    assert application.motivation == "Jeg træner U17.\n\nJeg kan:\n\t- lytte\n\t- lave mad"


def test_motivation_may_mention_a_website_because_only_staff_read_it_and_never_in_an_email():
    text = "Jeg er træner i klubben, se https://klub.example og www.klub.dk."
    application, errors = parse_application({**APPLICATION, "motivation": text}, TODAY)
    assert errors == {} and application is not None and application.motivation == text


def test_emoji_sequences_in_a_multi_line_text_are_kept():
    text = "Jeg har selv en familie 👨\u200d👩\u200d👧 og vil gerne hjælpe."
    application, errors = parse_application({**APPLICATION, "experience": text}, TODAY)
    assert errors == {} and application is not None and application.experience == text


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x0b", "\u202e", "\u2066"], ids=repr)
@pytest.mark.parametrize("field", ["motivation", "experience"])
def test_multi_line_fields_refuse_control_and_reordering_characters(field, char):
    message = application_errors(**{field: inside(APPLICATION[field], char)})[field]
    assert message.startswith("Teksten indeholder")


@pytest.mark.parametrize("char", ["\x00", "\u202e"], ids=repr)
def test_the_young_persons_wishes_refuse_them_too(char):
    assert referral_errors(wishes=inside(REFERRAL["wishes"], char))["wishes"].startswith("Teksten indeholder")


# --- dates are dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [12, 0, -5, 1e9, True, "12", "1980-05-01T10:00:00", "1. maj 1980", [1980]])
def test_a_birth_date_is_written_as_a_date_not_a_number(value):
    assert application_errors(birth_date=value)["birth_date"] == "Skriv datoen som ÅÅÅÅ-MM-DD, fx 1985-04-23."
    assert referral_errors(birth_date=value)["birth_date"] == "Skriv datoen som ÅÅÅÅ-MM-DD, fx 1985-04-23."


def test_a_guardians_date_is_a_date_too():
    assert referral_errors(guardian_date=12)["guardian_date"] == "Skriv datoen som ÅÅÅÅ-MM-DD, fx 1985-04-23."


# --- emails: a header is one line, whatever reaches it -----------------------------------------------


def test_a_subject_is_one_line_whatever_the_name_in_it_holds():
    email = emails.referral_received("k@example.org", "Lone", "Sara\r\nBcc: alle@example.org\x00\u202e", "y1")
    assert email.subject == "Tak for henvisningen af Sara Bcc: alle@example.org til BackUp"
    assert emails.compose("a@example.org", "Hej\n\nmed\rlinjer", "tekst").subject == "Hej med linjer"


def test_one_line_keeps_ordinary_text_as_it_is():
    assert one_line("Påmindelse 2: Hjemmebesøg venter stadig (ansøgning abc123)") == (
        "Påmindelse 2: Hjemmebesøg venter stadig (ansøgning abc123)"
    )


def test_the_applicants_first_email_says_what_to_do_if_they_did_not_apply():
    email = emails.application_received("a@example.org", "Mette", "abc123", "https://x.example/withdraw/L1")
    assert "Har du ikke selv søgt, så har nogen skrevet din e-mailadresse" in email.text
    after = email.text.split("Har du ikke selv søgt", 1)[1]
    assert "linket ovenfor" in after and "stopper vi den med det samme" in after
    assert "skriv til Røde Kors" in after
    assert email.text.index("https://x.example/withdraw/L1") < email.text.index("Har du ikke selv søgt")


def test_the_contact_adults_first_email_says_what_to_do_if_they_did_not_refer_anyone():
    email = emails.referral_received("k@example.org", "Lone", "Sara", "y1")
    assert "Har du ikke selv henvist en ung til BackUp" in email.text
    after = email.text.split("Har du ikke selv henvist", 1)[1]
    assert "linket nederst i denne e-mail" in after and "skriv til Røde Kors" in after
