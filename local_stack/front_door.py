"""The HTTP front door: turns browser requests into API Gateway HTTP API (payload 2.0) events for
the function the template routes them to, and serves the local-only pages under /_local/."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from local_stack import local_pages
from local_stack.authorizer import Unauthorized
from local_stack.collector import COLLECTOR
from local_stack.template import ACCOUNT_ID, FunctionSpec

if TYPE_CHECKING:
    from local_stack.stack import LocalStack

MAX_BODY = 10 * 1024 * 1024  # API Gateway's limit for an HTTP API request


def http_api_event(
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes,
    route_key: str,
    path_parameters: dict[str, str],
    source_ip: str,
) -> dict[str, Any]:
    """An API Gateway HTTP API payload format 2.0 event, as AWS builds it."""
    parts = urlsplit(target)
    lower: dict[str, str] = {}
    for key, value in headers.items():
        lower[key.lower()] = f"{lower[key.lower()]},{value}" if key.lower() in lower else value
    cookies = [c.strip() for c in lower.pop("cookie", "").split(";") if c.strip()]
    query: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": lower,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "domainName": lower.get("host", "127.0.0.1"),
            "domainPrefix": lower.get("host", "127.0.0.1").split(".")[0],
            "http": {
                "method": method,
                "path": parts.path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lower.get("user-agent", ""),
            },
            "requestId": uuid.uuid4().hex,
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body:
        try:
            event["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
    return event


class FrontDoor:
    def __init__(self, stack: LocalStack, specs: list[FunctionSpec]):
        self.stack = stack
        self.routes = [(route, spec) for spec in specs for route in spec.routes]
        door = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "BackUpLocal"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
                if door.stack.log is not None:
                    door.stack.log.write(f"front door: {format % args}\n")

            def _serve(self) -> None:
                with COLLECTOR.answering():  # no full collection while somebody waits for this
                    door.serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", stack.api_port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("content-length") or 0)
        if length > MAX_BODY:
            self._reply(request, 413, {"content-type": "application/json"}, b'{"message":"Request Entity Too Large"}')
            return
        body = request.rfile.read(length) if length else b""
        path = urlsplit(request.path).path
        if path.startswith("/_local"):
            status, content_type, payload = local_pages.serve(self.stack, request.command, request.path, body)
            self._reply(request, status, {"content-type": content_type}, payload)
            return
        for route, spec in self.routes:
            params = route.match(request.command, path)
            if params is None:
                continue
            event = http_api_event(
                request.command,
                request.path,
                dict(request.headers.items()),
                body,
                f"{route.method} {route.path}",
                params,
                request.client_address[0],
            )
            if route.authorizer is not None:  # API Gateway checks the token before the function runs
                try:
                    claims = self.stack.authorizers[route.authorizer].claims(dict(request.headers.items()))
                except Unauthorized:
                    self._reply(request, 401, {"content-type": "application/json"}, b'{"message":"Unauthorized"}')
                    return
                event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
            assert self.stack.lambdas is not None
            outcome = self.stack.lambdas.invoke(spec.name, event)
            if not outcome.ok:
                self._reply(request, 500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}')
                return
            self._reply_from_result(request, outcome.result)
            return
        self._reply(request, 404, {"content-type": "application/json"}, b'{"message":"Not Found"}')

    def _reply_from_result(self, request: BaseHTTPRequestHandler, result: Any) -> None:
        if not isinstance(result, dict) or "statusCode" not in result:
            # payload 2.0: anything without a statusCode is a 200 JSON body
            self._reply(request, 200, {"content-type": "application/json"}, json.dumps(result).encode())
            return
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
        headers = {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        for key, values in (result.get("multiValueHeaders") or {}).items():
            headers[key.lower()] = ",".join(str(v) for v in values)
        self._reply(request, int(result["statusCode"]), headers, data, result.get("cookies") or [])

    @staticmethod
    def _reply(
        request: BaseHTTPRequestHandler,
        status: int,
        headers: dict[str, str],
        body: bytes,
        cookies: list[str] | None = None,
    ) -> None:
        request.send_response(status)
        for key, value in headers.items():
            if key != "content-length":
                request.send_header(key, value)
        for cookie in cookies or []:
            request.send_header("set-cookie", cookie)
        request.send_header("content-length", str(len(body)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(body)
