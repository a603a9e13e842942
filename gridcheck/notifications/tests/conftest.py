"""Local servers for the notification tests: a real SMTP server (aiosmtpd) and a tiny SMS gateway.

Both listen on 127.0.0.1 at a free port and are stopped at the end of the test.
"""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """aiosmtpd handler: keeps each message's envelope, or refuses it with ``refuse`` (e.g. "550 ...")."""

    def __init__(self):
        self.envelopes = []
        self.refuse = None
        self.tries = 0

    async def handle_DATA(self, server, session, envelope):
        self.tries += 1
        if self.refuse:
            return self.refuse
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    """A mail server on 127.0.0.1:``port``; ``start()``/``stop()`` may be called more than once."""

    def __init__(self, port: int):
        self.port = port
        self.handler = RecordingHandler()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp_settings(smtp_port):
    """Django's SMTP backend pointed at 127.0.0.1:``smtp_port`` (whether a server listens or not)."""
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=smtp_port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=5,
        DEFAULT_FROM_EMAIL="gridcheck@gongdian.example",
    ):
        yield


@pytest.fixture
def smtp_server(smtp_settings, smtp_port):
    server = SmtpServer(smtp_port)
    server.start()
    yield server
    server.stop()


class Gateway:
    """What the fake SMS gateway received, and what it answers (``status``, ``answer``, ``delay_s``)."""

    def __init__(self):
        self.requests = []
        self.status = 200
        self.answer = {"id": "GW-0001"}
        self.delay_s = 0.0


@pytest.fixture
def sms_gateway(settings):
    gateway = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            gateway.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            if gateway.delay_s:
                threading.Event().wait(gateway.delay_s)
            payload = json.dumps(gateway.answer).encode()
            try:
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GRIDCHECK_SMS_BACKEND = "gridcheck.notifications.sms.HttpGatewaySmsBackend"
    settings.GRIDCHECK_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    settings.GRIDCHECK_SMS_GATEWAY_TOKEN = "test-token-123"
    settings.GRIDCHECK_SMS_GATEWAY_TIMEOUT_S = 2.0
    settings.GRIDCHECK_SMS_GATEWAY_PROXY = ""
    yield gateway
    server.shutdown()
    server.server_close()


@pytest.fixture
def logging_sms(settings):
    from gridcheck.notifications.sms import LoggingSmsBackend

    settings.GRIDCHECK_SMS_BACKEND = "gridcheck.notifications.sms.LoggingSmsBackend"
    LoggingSmsBackend.sent.clear()
    yield LoggingSmsBackend.sent
    LoggingSmsBackend.sent.clear()
