"""SMS backends: one small interface, chosen by ``settings.GRIDCHECK_SMS_BACKEND`` (a dotted path).

- ``LoggingSmsBackend`` (the default) sends nothing: it logs each text and keeps it in
  ``LoggingSmsBackend.sent`` (for development, demos and tests);
- ``HttpGatewaySmsBackend`` POSTs JSON to ``settings.GRIDCHECK_SMS_GATEWAY_URL`` with a bearer token;
  any answer other than 2xx, a timeout or a network error raises ``SmsError`` (the outbox retries).

A gateway of another shape: subclass ``BaseSmsBackend``, implement ``send`` and point the setting at it.
"""

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("gridcheck.notifications.sms")


class SmsError(Exception):
    """The SMS could not be handed to the gateway; the outbox will try again."""


@dataclass(frozen=True)
class SmsSent:
    """A text handed over: the phone number, the text and the gateway's reference for it (if any)."""

    phone: str
    text: str
    reference: str = ""


class BaseSmsBackend:
    """What every SMS backend does: hand one text to one phone number, or raise ``SmsError``."""

    def send(self, *, phone: str, text: str, reference: str) -> SmsSent:
        """Send ``text`` to ``phone``; ``reference`` is ours (the same on every retry of a message)."""
        raise NotImplementedError


class LoggingSmsBackend(BaseSmsBackend):
    """Sends nothing: logs the text and keeps it in ``LoggingSmsBackend.sent`` (newest last)."""

    sent: list[SmsSent] = []

    def send(self, *, phone: str, text: str, reference: str) -> SmsSent:
        logger.info("SMS to %s (%s): %s", phone, reference, text)
        record = SmsSent(phone=phone, text=text, reference=reference)
        type(self).sent.append(record)
        return record


class HttpGatewaySmsBackend(BaseSmsBackend):
    """POSTs ``{"phone", "text", "reference"}`` as JSON to the gateway, with ``Authorization: Bearer``.

    Settings: ``GRIDCHECK_SMS_GATEWAY_URL``, ``GRIDCHECK_SMS_GATEWAY_TOKEN``,
    ``GRIDCHECK_SMS_GATEWAY_TIMEOUT_S`` [s] and ``GRIDCHECK_SMS_GATEWAY_PROXY`` (empty: connect
    directly). A JSON answer's ``id`` (or ``message_id``) is kept as the provider's reference.
    """

    def __init__(self, *, url: str | None = None, token: str | None = None, timeout_s: float | None = None):
        self.url = url if url is not None else settings.GRIDCHECK_SMS_GATEWAY_URL
        self.token = token if token is not None else settings.GRIDCHECK_SMS_GATEWAY_TOKEN
        self.timeout_s = timeout_s if timeout_s is not None else settings.GRIDCHECK_SMS_GATEWAY_TIMEOUT_S
        proxy = settings.GRIDCHECK_SMS_GATEWAY_PROXY
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else {})
        )

    def send(self, *, phone: str, text: str, reference: str) -> SmsSent:
        if not self.url:
            raise SmsError("GRIDCHECK_SMS_GATEWAY_URL is not set")
        payload = json.dumps({"phone": phone, "text": text, "reference": reference}, ensure_ascii=False)
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.url, data=payload.encode("utf-8"), headers=headers, method="POST"
        )
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                status = response.status
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace") if exc.fp else ""
            raise SmsError(f"gateway answered HTTP {exc.code}: {detail}".strip()) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"gateway unreachable: {getattr(exc, 'reason', exc)}") from exc
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered HTTP {status}")
        provider_reference = ""
        try:
            answer = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            answer = {}
        if isinstance(answer, dict):
            provider_reference = str(answer.get("id") or answer.get("message_id") or "")[:100]
        return SmsSent(phone=phone, text=text, reference=provider_reference)


def get_sms_backend() -> BaseSmsBackend:
    """The backend named by ``settings.GRIDCHECK_SMS_BACKEND``."""
    return import_string(settings.GRIDCHECK_SMS_BACKEND)()
