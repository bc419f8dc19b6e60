"""Declare-to-war-room time: from the declare request to the kick-off message in the new channel,
with every fake Slack call delayed by L. The floor is 2L: the channel must exist before anything is
posted in it."""

import time
from functools import partial
from typing import Any

from bench.harness import Service, percentile
from firebell.emulator import EmulatorServer, SlackDriver, SlackEmulator


def run(
    emu: SlackEmulator, slack: EmulatorServer, firebell: Service, *, latency: float, declares: int
) -> dict[str, Any]:
    """Declare one incident at a time; the time until each one's kick-off is in its war room."""
    driver = SlackDriver(emu, slack, app_url=f"{firebell.url}/slack/events")
    before = {c.id for c in emu.channels.values()}
    emu.latency = latency
    times = []
    try:
        for i in range(declares):
            started = time.time()
            result = driver.slash_command("/incident", f"declare sev2 War room {i}", user="alice", channel="general")
            number = int(str(driver.answer(result, timeout=30)["text"]).split("INC-")[1].split("*")[0])
            kickoff = emu.wait_for(partial(_kickoff, number=number, before=before), timeout=30)
            times.append(float(kickoff) - started)
            time.sleep(latency * 3)  # let the rest of the setup finish before the next declare
    finally:
        emu.latency = 0.0
    median = percentile(times, 50)
    return {
        "latency_ms": round(latency * 1000),
        "declares": declares,
        "median_ms": round(median * 1000, 1),
        "p90_ms": round(percentile(times, 90) * 1000, 1),
        "median_vs_L": round(median / latency, 2),
        "floor_vs_L": 2.0,
    }


def _kickoff(emu: SlackEmulator, *, number: int, before: set[str]) -> str | None:
    """The ts of incident `number`'s kick-off message, once posted."""
    for channel in emu.channels.values():
        if channel.id in before or not channel.name.startswith(f"inc-{number}-"):
            continue
        for message in emu.messages(channel.id):
            if message.bot_id and "What happens next" in str(message.blocks):
                return message.ts
    return None
