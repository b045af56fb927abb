"""The local AWS endpoint: moto's WSGI application behind an HTTP server that keeps connections open.

moto's own `ThreadedMotoServer` runs werkzeug's development server, which answers every request
with `Connection: close`: each AWS call of a function (about thirty for one application) opened a
TCP connection, and the stack's process accepted it, started a thread for it, and after answering
waited for the client to close. Measured with four clients against one endpoint (moto's DynamoDB
as the local stack patches it, CPU of the endpoint's process): GetItem 1.5-2.0 -> 0.9-1.2 ms a
call, UpdateItem 4.6 -> 2.7-3.6 ms, and the callers spend less too (no new connection per call).
Here a connection is served by one thread for as long as its client keeps it (botocore keeps a
pool per client), and closed after a minute without a request.

A request is read whole (its Content-Length) before moto sees it, so the next request on the
connection always starts where this one ended. Anything else (a chunked body, `Expect:
100-continue`) goes the way werkzeug handles it, and that connection is closed after it.
`TCP_NODELAY`: the headers and the body are two writes, and Nagle's algorithm would otherwise hold
the second until the client's delayed acknowledgement (40 ms a call)."""

from __future__ import annotations

import io
import threading
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

IDLE_CONNECTION_SECONDS = 60
_HOP_BY_HOP = {"content-length", "connection", "transfer-encoding", "keep-alive"}


class KeepAliveHandler(MotoRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = IDLE_CONNECTION_SECONDS

    def run_wsgi(self) -> None:
        expect = self.headers.get("Expect", "").lower().strip()
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower() or expect == "100-continue":
            self.close_connection = True
            super().run_wsgi()
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        self.environ = environ = self.make_environ()
        environ["wsgi.input"] = io.BytesIO(body)
        started: list[Any] = []
        chunks: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return chunks.append

        try:
            answer = self.server.app(environ, start_response)
            try:
                chunks.extend(answer)
            finally:
                if hasattr(answer, "close"):
                    answer.close()
        except Exception:  # moto's application raised: a 500, as werkzeug's server answers it
            self.log_error("moto failed on %s %s", self.command, self.path)
            started[:] = ["500 Internal Server Error", [("Content-Type", "text/plain")]]
            chunks[:] = [b"Internal Server Error"]
            self.close_connection = True
        payload = b"".join(chunks)
        code, _, reason = str(started[0]).partition(" ")
        self.send_response_only(int(code), reason or None)
        for key, value in started[1]:
            if key.lower() not in _HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()


class AwsEndpoint:
    """moto on 127.0.0.1:`port`, served from a thread of this process until `stop`."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        application = DomainDispatcherApplication(create_backend_app)
        self._server = make_server("127.0.0.1", self.port, application, threaded=True, request_handler=KeepAliveHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="aws-endpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
