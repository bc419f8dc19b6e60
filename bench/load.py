"""A lean load generator for ack latency: requests are signed in advance and sent over keep-alive
connections, so the client adds as little as possible to what is measured."""

import http.client
import pickle
import queue
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

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
            # Unique per invocation, as Slack's are: Firebell recognises a repeated trigger_id as a replay.
            "trigger_id": f"{int(time.time())}.0.{uuid.uuid4().hex}",
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


class Sent(NamedTuple):
    """One request as the load generator saw it."""

    at: float  # when it was sent, epoch seconds
    elapsed: float  # until its response arrived, seconds
    answered: bool  # the response carried a body (a slash command answered in its ack)


def fire(base_url: str, requests: list[tuple[bytes, dict[str, str]]], *, concurrency: int) -> list[Sent]:
    """Send the requests `concurrency` at a time; when each was sent and how long its response took.

    The connections are opened before the first request is timed (as a load tester such as wrk does), so
    what is measured is acknowledging, not TCP handshakes at the start of a burst."""
    parsed = urllib.parse.urlsplit(base_url)
    local = threading.local()
    ready: queue.SimpleQueue[http.client.HTTPConnection] = queue.SimpleQueue()
    for _ in range(concurrency):
        connection = http.client.HTTPConnection(str(parsed.hostname), parsed.port, timeout=30)
        connection.connect()
        ready.put(connection)

    def send(request: tuple[bytes, dict[str, str]]) -> Sent:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = ready.get()
        body, headers = request
        sent_at, started = time.time(), time.perf_counter()
        connection.request("POST", "/slack/events", body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        return Sent(sent_at, elapsed, bool(content.strip()))

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(send, requests))


def fire_apart(base_url: str, requests: list[tuple[bytes, dict[str, str]]], *, concurrency: int) -> list[Sent]:
    """`fire`, from a process of its own: the emulator answering Firebell's replies in this process then
    cannot hold up the load generator's threads (one GIL) and show up as ack latency."""
    job = pickle.dumps((base_url, requests, concurrency))
    done = subprocess.run([sys.executable, __file__], input=job, capture_output=True, check=False, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed: {done.stderr.decode()[-2000:]}")
    return [Sent(*row) for row in pickle.loads(done.stdout)]  # noqa: S301 (our own child's output)


if __name__ == "__main__":
    url, work, width = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 (from fire_apart)
    sys.stdout.buffer.write(pickle.dumps([tuple(s) for s in fire(url, work, concurrency=width)]))
