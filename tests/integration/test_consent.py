"""Consent recorded properly, through the real intake handler on moto: each consent with its
wording's version and time, the guardian's consent for a young person under 18 (who, how, when),
and the privacy notice both forms link to."""

import json

import boto3

from backup.domain.consent import STATEMENTS

from .conftest import post_form
from .test_referral_handler import REFERRAL, profile

APPLICATION = {
    "first_name": "Mette",
    "last_name": "Hansen",
    "email": "mette@example.org",
    "phone": "12345678",
    "birth_date": "1985-04-02",
    "address": "Vestergade 1",
    "postcode": "8000",
    "city": "Aarhus C",
    "interests": ["football"],
    "availability": "weekly",
    "motivation": "Jeg vil gerne være en stabil voksen for en ung.",
    "references": ["Anne Jensen, 87 65 43 21", "Bo Holm, bo.holm@example.org"],
    "consent_data": True,
    "consent_child_certificate": True,
    "commitment": True,
}


def stored(table, kind, person_id):
    key = {"pk": f"{kind}#{person_id}", "sk": "PROFILE"}
    return boto3.resource("dynamodb").Table(table).get_item(Key=key)["Item"]


def test_a_volunteers_consents_are_kept_with_the_wordings_version_and_time_not_as_bare_yes(intake, table):
    response = post_form(intake, "/apply", body=json.dumps(APPLICATION).encode())
    assert response["statusCode"] == 201
    item = stored(table, "VOLUNTEER", json.loads(response["body"])["application_id"])
    assert set(item["consents"]) == {"consent_data", "consent_child_certificate", "commitment"}
    certificate = item["consents"]["consent_child_certificate"]
    assert certificate["version"] == STATEMENTS["consent_child_certificate"].version
    assert certificate["given_by"] == "applicant" and certificate["given_at"].startswith("20")
    assert "consent_data" not in item["details"]  # a bare yes says nothing: the consent record does


def test_a_young_persons_own_consent_and_the_guardians_are_recorded_with_who_how_and_when(intake, table):
    response = post_form(intake, "/refer", body=json.dumps(REFERRAL).encode())
    assert response["statusCode"] == 201
    item = profile(table, json.loads(response["body"])["youth_id"])
    consents = item["consents"]
    assert consents["consent"]["given_by"] == "young person"
    assert consents["consent"]["recorded_by"] == "contact adult"
    assert consents["guardian_consent"]["given_by"] == "municipality"
    assert consents["guardian_consent"]["how"] == "written"
    assert item["details"]["guardian_consent"]["name"] == "Jens Sagsbehandler"
    assert not {"motivated", "consent", "no_active_substance_abuse"} & set(item["details"])


def test_a_referral_of_a_17_year_old_without_the_guardians_consent_is_refused_field_by_field(intake, table):
    referral = {k: v for k, v in REFERRAL.items() if not k.startswith("guardian_")}
    response = post_form(intake, "/refer", body=json.dumps(referral).encode())
    assert response["statusCode"] == 422
    fields = json.loads(response["body"])["fields"]
    assert {"guardian_name", "guardian_role", "guardian_how", "guardian_date"} <= set(fields)


def test_the_privacy_notice_states_the_configured_retention_and_both_forms_link_it(intake):
    page = post_form(intake, "/privatliv", method="GET", accept="text/html")
    assert page["statusCode"] == 200
    text = page["body"]
    assert "Sådan behandler Røde Kors dine oplysninger" in text
    assert "cirka 6 måneder (183 dage)" in text and "5 år" in text
    assert "drift@rodekors.example" in text and "datatilsynet.dk" in text
    for form in ("/apply", "/refer"):
        assert 'href="/privatliv"' in post_form(intake, form, method="GET", accept="text/html")["body"]
