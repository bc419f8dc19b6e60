"""Slash-command acks while an alert storm is being posted, against the bare Bolt floor measured alongside.

Used by bench/alerts.py: while the storm's posts go in, a load generator (a process of its own, as in
bench/ack.py) sends bursts of `/incident` commands, 16 in flight, taking turns between Firebell and the bare
async Bolt app, so the storm's load on the machine falls on both alike. Firebell's commands are what people
type while alerts pour in (`help`, `status`, `timeline`, `note`); their answers are not waited for (the storm
does not stop for them), so the work they queue runs alongside the next bursts, as it would.
"""

import threading
from typing import Any

from bench.ack import bare_app, wait_for_room
from bench.harness import Service, percentile
from bench.load import Sent, fire_apart, signed, slash_command_body
from firebell.emulator import EmulatorServer, SlackDriver, SlackEmulator

TEXTS = ["status", "note alerts are pouring in", "timeline", "help"]
BURST = 96
CONCURRENCY = 16


class StormAcks:
    """Samples ack latencies from `start()` until `stop()`; `figures()` compares them with the floor's."""

    def __init__(self, emu: SlackEmulator, slack: EmulatorServer, firebell: Service) -> None:
        self.emu = emu
        SlackDriver(emu, slack, app_url=f"{firebell.url}/slack/events").slash_command(
            "/incident", "declare sev3 Storm handling", user="alice", channel="general"
        )
        self.room = wait_for_room(emu)
        self.firebell = firebell
        self.bare = bare_app(emu)
        self.acks: dict[str, list[float]] = {"floor": [], "firebell": []}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="storm-acks", daemon=True)
        self._sent = 0
        # Warm both up (connections, first-request paths) before anything is timed.
        for url in (self.bare.url, firebell.url):
            fire_apart(url, self._requests(CONCURRENCY * 2, only_help=True), concurrency=CONCURRENCY)

    def start(self) -> None:
        """Start sending bursts, in turns, until `stop`."""
        self._thread.start()

    def stop(self) -> None:
        """Finish the burst in flight and stop; the bare app is stopped too."""
        self._stop.set()
        self._thread.join(120)
        self.bare.stop()

    def _requests(self, count: int, *, only_help: bool = False) -> list[tuple[bytes, dict[str, str]]]:
        user = self.emu.user_id("alice")
        bodies = []
        for _ in range(count):
            text = "help" if only_help else TEXTS[self._sent % len(TEXTS)]
            self._sent += 1
            url = self.emu.issue_response_url(user, self.room, source="slash_command")
            bodies.append(
                slash_command_body(text, user=user, channel=self.room, team=self.emu.team_id, response_url=url)
            )
        return signed(bodies, self.emu.signing_secret)

    def _run(self) -> None:
        turn = 0
        while not self._stop.is_set() or turn < 2:  # at least one burst each
            name, url = ("floor", self.bare.url) if turn % 2 == 0 else ("firebell", self.firebell.url)
            # The floor only acks: it gets the same number of the same-sized requests (help-shaped bodies).
            sent: list[Sent] = fire_apart(
                url, self._requests(BURST, only_help=name == "floor"), concurrency=CONCURRENCY
            )
            self.acks[name].extend(s.elapsed for s in sent)
            turn += 1

    def figures(self) -> dict[str, Any]:
        """p50/p99 of both, and Firebell's p99 over the floor's (target <= 1.5x, as for bench/ack.py)."""
        floor, firebell = self.acks["floor"], self.acks["firebell"]
        if not floor or not firebell:
            return {"storm_acks": 0}
        return {
            "storm_acks": len(firebell),
            "storm_floor_acks": len(floor),
            "storm_ack_p50_ms": round(percentile(firebell, 50) * 1000, 2),
            "storm_ack_p99_ms": round(percentile(firebell, 99) * 1000, 2),
            "storm_floor_p50_ms": round(percentile(floor, 50) * 1000, 2),
            "storm_floor_p99_ms": round(percentile(floor, 99) * 1000, 2),
            "storm_ack_p99_vs_floor": round(percentile(firebell, 99) / percentile(floor, 99), 2),
        }
