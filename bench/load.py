"""A lean load generator for ack latency: requests are signed in advance and sent over keep-alive
connections, so the client adds as little as possible to what is measured."""

import http.client
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from slack_sdk.signature import SignatureVerifier


def slash_command_body(text: str, *, user: str, channel: str, team: str, response_url: str) -> bytes:
    """A form-encoded /incident request as Slack sends it."""
    return urllib.parse.urlencode(
        {
            "token": "verification-token",
            "team_id": team,
            "team_domain": "firebell",
            "channel_id": channel,
            "channel_name": "bench",
            "user_id": user,
            "user_name": "bench",
            "command": "/incident",
            "text": text,
            "api_app_id": "A0FIREBELL",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": "0.0.bench",
        }
    ).encode()


def signed(bodies: list[bytes], secret: str) -> list[tuple[bytes, dict[str, str]]]:
    """Each body with Slack's signature headers."""
    verifier = SignatureVerifier(secret)
    now = str(int(time.time()))
    return [
        (
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": now,
                "X-Slack-Signature": str(verifier.generate_signature(timestamp=now, body=body)),
            },
        )
        for body in bodies
    ]


def fire(base_url: str, requests: list[tuple[bytes, dict[str, str]]], *, concurrency: int) -> list[float]:
    """Send the requests `concurrency` at a time; each one's time until its response (seconds)."""
    parsed = urllib.parse.urlsplit(base_url)
    local = threading.local()

    def send(request: tuple[bytes, dict[str, str]]) -> float:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = http.client.HTTPConnection(str(parsed.hostname), parsed.port, timeout=30)
        body, headers = request
        started = time.perf_counter()
        connection.request("POST", "/slack/events", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        return elapsed

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(send, requests))
