"""Real servers on 127.0.0.1 for the tests of what the application sends: an SMTP server
(aiosmtpd) that keeps every e-mail it receives, and an HTTP server that keeps every request
and answers with the statuses it is told."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

# The From: address of the applications that send to `smtp_server` (the `mail` fixture).
SENDER = "Tiến độ <tiendo@stttt.example.vn>"


def free_port() -> int:
    """A port nothing listens on (the kernel's choice; closed again at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class MailSink:
    """What the SMTP server has received, in order."""

    port: int = 0
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[MailSink]:
    sink = MailSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebServer:
    """Answers each POST with the next of `statuses` (200 when they are used up)."""

    url: str
    statuses: list[int]
    requests: list[Request] = field(default_factory=list)


@contextmanager
def http_server(statuses: list[int] | None = None) -> Iterator[WebServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    web = WebServer(f"http://127.0.0.1:{server.server_address[1]}/hook", list(statuses or []))
    server.web = web
    # A short poll: shutdown() waits for the serving loop to look (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        web: WebServer = self.server.web
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        web.requests.append(Request(self.path, dict(self.headers.items()), body))
        status = web.statuses.pop(0) if web.statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args) -> None:  # keep the test output quiet
        pass
