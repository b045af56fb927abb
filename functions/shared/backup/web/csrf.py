"""Cross-site request forgery: a double-submit token in a SameSite=Strict cookie and the form, plus
an Origin check. A link id alone must not be enough for another site to post a decision."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from backup.web.html import message_page
from backup.web.http import html

CSRF_COOKIE = "backup_csrf"


def _is_local(app: APIGatewayHttpResolver) -> bool:
    host = (app.current_event.headers or {}).get("host", "")
    return host.startswith(("127.0.0.1", "localhost"))


def _cookie(app: APIGatewayHttpResolver, token: str, path: str) -> Cookie:
    # Secure everywhere but on the local stack, which serves plain http on 127.0.0.1
    return Cookie(
        CSRF_COOKIE,
        token,
        path=path,
        secure=not _is_local(app),
        http_only=True,
        max_age=86400,
        same_site=SameSite.STRICT_MODE,
    )


def form_is_ours(app: APIGatewayHttpResolver, form: dict[str, Any]) -> bool:
    headers = {k.lower(): v for k, v in (app.current_event.headers or {}).items()}
    origin = headers.get("origin")
    # "null" comes from privacy settings and sandboxed frames; the token in the SameSite=Strict
    # cookie, which no other site can send, still has to match
    if origin and origin != "null" and origin.split("://", 1)[-1] != headers.get("host"):
        return False
    cookies = app.current_event.cookies or []
    sent = next((c.split("=", 1)[1] for c in cookies if c.startswith(CSRF_COOKIE + "=")), "")
    given = str(form.get("csrf_token", ""))
    return bool(sent) and bool(given) and secrets.compare_digest(sent, given)


def page_with_token(app: APIGatewayHttpResolver, status: int, render: Callable[[str], str], path: str) -> Response[str]:
    """A page whose form carries a fresh token, with the same token in its cookie."""
    token = secrets.token_urlsafe(24)
    response = html(status, render(token))
    response.cookies = [_cookie(app, token, path)]
    return response


def forgery_page() -> Response[str]:
    return html(
        403,
        message_page(
            "Siden skal hentes igen",
            "Vi kunne ikke bekræfte, at formularen kom fra vores egen side (måske er den for gammel, "
            "eller cookies er slået fra). Åbn linket fra e-mailen igen, og prøv en gang til.",
        ),
    )
