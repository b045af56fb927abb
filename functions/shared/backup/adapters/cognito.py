"""Staff sign-in against the Cognito user pool: a user name and password give the tokens the HTTP
API's JWT authorizer accepts on the staff routes. The pool's app client has no secret and allows
USER_PASSWORD_AUTH only (plus refresh); a user created by an administrator sets their own password
at the first sign-in (NEW_PASSWORD_REQUIRED)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backup.adapters import aws


class SignInRefused(Exception):
    """Wrong user name or password, an unknown or disabled user: one message for all (no hint
    about which)."""


@dataclass(frozen=True)
class SignedIn:
    id_token: str
    expires_in: int


@dataclass(frozen=True)
class NewPasswordNeeded:
    session: str  # Cognito's opaque session for the challenge answer


class StaffSignIn:
    def __init__(self, client_id: str, client: Any | None = None):
        self.client_id = client_id
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws.client("cognito-idp")
        return self._client

    def sign_in(self, username: str, password: str) -> SignedIn | NewPasswordNeeded:
        try:
            answer = self.client.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except self.client.exceptions.ClientError as error:
            raise SignInRefused(error.response["Error"]["Code"]) from None
        return _answer(answer)

    def set_new_password(self, username: str, new_password: str, session: str) -> SignedIn | NewPasswordNeeded:
        try:
            answer = self.client.respond_to_auth_challenge(
                ClientId=self.client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=session,
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
            )
        except self.client.exceptions.ClientError as error:
            raise SignInRefused(error.response["Error"]["Code"]) from None
        return _answer(answer)


def _answer(answer: dict[str, Any]) -> SignedIn | NewPasswordNeeded:
    if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
        return NewPasswordNeeded(session=str(answer["Session"]))
    result = answer.get("AuthenticationResult") or {}
    if "IdToken" not in result:
        raise SignInRefused(str(answer.get("ChallengeName") or "no token"))
    return SignedIn(id_token=str(result["IdToken"]), expires_in=int(result.get("ExpiresIn", 3600)))
