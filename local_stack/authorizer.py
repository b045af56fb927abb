"""The HTTP API's JWT authorizer, as API Gateway runs it, for the local stack: the token from the
route's identity source (the Authorization header, with or without "Bearer "), its signature
checked against the issuer's published keys (moto's Cognito serves them as AWS does), its issuer,
expiry and audience (an ID token's `aud`, an access token's `client_id`). Any failure is API
Gateway's own 401 {"message":"Unauthorized"}; the route's function is not invoked."""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any


class Unauthorized(Exception):
    pass


@dataclass
class JwtAuthorizer:
    issuer: str
    audiences: list[str]
    jwks_url: str
    header: str = "authorization"  # from "$request.header.Authorization"
    _keys: Any = field(default=None, repr=False)

    def keys(self) -> Any:
        if self._keys is None:
            from joserfc.jwk import KeySet

            with urllib.request.urlopen(self.jwks_url, timeout=10) as response:  # noqa: S310 - moto, local
                self._keys = KeySet.import_key_set(json.load(response))
        return self._keys

    def claims(self, headers: dict[str, str]) -> dict[str, Any]:
        """The token's claims, or Unauthorized."""
        from joserfc import jwt
        from joserfc.errors import JoseError

        raw = next((v for k, v in headers.items() if k.lower() == self.header), "").strip()
        if raw.lower().startswith("bearer "):
            raw = raw[7:].strip()
        if not raw:
            raise Unauthorized("no token")
        try:
            claims = dict(jwt.decode(raw, self.keys()).claims)
        except (JoseError, ValueError) as error:
            raise Unauthorized(f"bad token: {error}") from None
        if claims.get("iss") != self.issuer:
            raise Unauthorized("another issuer")
        if float(claims.get("exp", 0)) <= time.time():
            raise Unauthorized("expired")
        audience = claims.get("aud") if claims.get("token_use") != "access" else claims.get("client_id")
        audiences = audience if isinstance(audience, list) else [audience]
        if not set(map(str, audiences)) & set(self.audiences):
            raise Unauthorized("another audience")
        return claims
