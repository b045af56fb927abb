"""Staff pages sit behind the HTTP API's JWT authorizer (the Cognito user pool), run locally as API
Gateway runs it against moto's Cognito: no token or a bad one is a 401 and the function never
runs; a staff member signs in at /staff and gets the page."""

import base64
import json

import pytest
import requests

pytestmark = pytest.mark.e2e


def sign_in(stack, username=None, password=None):
    return stack.sign_in(username, password)


def test_the_recruitment_page_without_a_token_is_refused_by_the_api_with_401(stack):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": ""}):
        response = requests.get(f"{stack.web}/recruitment", headers=headers, timeout=30)
        assert response.status_code == 401 and response.json() == {"message": "Unauthorized"}


def test_a_staff_member_signs_in_and_gets_the_page_with_the_token(stack):
    signed_in = sign_in(stack)
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["id_token"]
    page = requests.get(
        f"{stack.web}/recruitment", headers={"Authorization": f"Bearer {token}", "Accept": "text/html"}, timeout=30
    )
    assert page.status_code == 200 and "Rekrutteringsbehov" in page.text


def test_a_token_with_a_changed_claim_is_refused(stack):
    token = sign_in(stack).json()["id_token"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "someone.else@rodekors.example"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    response = requests.get(
        f"{stack.web}/recruitment", headers={"Authorization": f"Bearer {header}.{forged}.{signature}"}, timeout=30
    )
    assert response.status_code == 401


def test_a_wrong_password_gets_one_kind_sentence_and_no_token(stack):
    for username, password in ((stack.consultant, "Forkert-kode-123!"), ("ukendt@rodekors.example", "x")):
        refused = sign_in(stack, username, password)
        assert refused.status_code == 401
        assert "Forkert e-mail eller adgangskode" in refused.json()["message"] and "id_token" not in refused.json()


def test_odd_sign_in_bodies_get_a_400_not_a_500(stack):
    for body in (b"[]", b'{"username": 5}', b'{"username": "a@b.dk"}', b"\xff", b'{"username":"a@b.dk","x":1}'):
        response = requests.post(
            f"{stack.web}/staff/sign-in", data=body, headers={"Content-Type": "application/json"}, timeout=30
        )
        assert 400 <= response.status_code < 500, (body, response.status_code)
