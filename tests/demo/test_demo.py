"""`firebell demo` end to end: a real process, the real service, the emulator; transcript and postmortem checked."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from firebell.demo import player, script


@pytest.mark.slow  # the whole demo in a real process
def test_demo_runs_a_whole_incident_and_writes_the_postmortem_outside_the_working_directory(tmp_path: Path) -> None:
    cwd, temp = tmp_path / "checkout", tmp_path / "tmp"
    cwd.mkdir()
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FIREBELL_CONFIG")}
    done = subprocess.run(
        [sys.executable, "-m", "firebell", "demo", "--speed", "0", "--no-color"],
        env={**env, "TMPDIR": str(temp)},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=90,
    )
    transcript = done.stdout
    assert done.returncode == 0, transcript + done.stderr
    # Nothing is left in the working directory (inside a checkout it would be untracked files): the draft
    # goes to a new temporary folder, whose path is printed, and the demo's database lived elsewhere too.
    assert list(cwd.iterdir()) == []
    (printed,) = re.findall(r"Postmortem draft: (\S+)", transcript)
    output = Path(printed)
    assert output.parent.parent == temp
    assert "\x1b[" not in transcript  # --no-color: plain text
    for expected in (
        "── 1/14 Declare a SEV1",
        "#inc-1-checkout-returning-5xx-after-deploy  channel created",
        # the declarer invited, then the new commander at the handover: shown as Slack shows joins
        "#inc-1-checkout-returning-5xx-after-deploy  Alice Moreau\n    (@Alice Moreau has joined the channel)",
        "#inc-1-checkout-returning-5xx-after-deploy  Bob Okafor\n    (@Bob Okafor has joined the channel)",
        # mentions that notify are marked; Slack's notices notify no one
        "‹@name› notifies that person (or channel)",
        # kick-off, rendered from Block Kit with its buttons as labels (its pin is checked below)
        "INC-1: CHECKOUT RETURNING 5XX AFTER DEPLOY",
        "[Post update] [Change severity] [Public update] [Mitigate] [Resolve]",
        # the announcement
        "#incidents  Firebell (app)",
        "*War room*: #inc-1-checkout-returning-5xx-after-deploy",
        # ephemeral replies are marked
        "#general  Firebell (app)  (only visible to Alice Moreau)",
        # runbook suggestion, posted as a checklist, step ticked
        "*Suggested runbooks*",
        "RUNBOOK: ELEVATED HTTP 5XX AFTER A DEPLOY (ROLL BACK)",
        "1/10 steps done",
        # handover
        "Command handed over: ‹@Bob Okafor› is now the Incident Commander (was ‹@Alice Moreau›).",
        # the pinned message
        ":pushpin: Added ‹@Carol Lindqvist›'s message to the timeline.",
        # status updates, in the room and the announcement thread
        "Rolling back checkout v2.14 to v2.13",
        "#incidents  Firebell (app)  (in thread)",
        # the reminder, and the form its button opens
        "‹@Bob Okafor› a status update for *INC-1* is due",
        "'Update INC-1' opened for Bob Okafor",
        # severity, mitigate, resolve
        "Severity lowered from *SEV1* to *SEV2* by ‹@Bob Okafor›.",
        "(set the channel topic: SEV2 | Mitigated | IC: @Bob Okafor | Checkout returning 5xx after deploy)",
        "Resolved: INC-1 resolved by ‹@Bob Okafor›.",
        # postmortem
        "INC-1 POSTMORTEM DRAFT",
        ":paperclip: INC-1 postmortem draft (inc-1-postmortem.md,",
        "All 14 steps showed what Slack would show",
        # public updates: Carol drafts, Bob (the IC) approves; the resolved one from the war room's prompt
        "'Public update INC-1' opened for Carol Lindqvist",
        ":memo: *Public update drafted* by ‹@Carol Lindqvist›",
        "Public update published by ‹@Bob Okafor› (*Investigating*)",
        "Public update published by ‹@Bob Okafor› (*Resolved*)",
        f"Postmortem draft: {output}",
    ):
        assert expected in transcript, f"missing from the transcript: {expected!r}\n{transcript}"
    assert "✘" not in transcript
    # The kick-off is shown pinned: in its header when the pin landed before the transcript printed it,
    # or as a change to it right after (the pin is a separate Slack call, moments after the post).
    room = r"#inc-1-checkout-returning-5xx-after-deploy  Firebell \(app\)  "
    pinned = rf"{room}\(pinned\)|{room}message from [\d:]+\n +~ :pushpin: pinned to the channel"
    assert re.search(pinned, transcript), transcript
    assert re.search(r"^\d\d:\d\d:\d\d  #inc-1-", transcript, re.MULTILINE)  # time, channel, author
    # The status page's URL is printed while it runs, and the war room links the public incident page under it.
    page = re.search(r"^Status page: (http://127\.0\.0\.1:\d+/status)$", transcript, re.MULTILINE)
    assert page, transcript
    assert re.search(rf"the public incident page \({re.escape(page.group(1))}/incidents/[a-z0-9]{{12}}\)", transcript)

    markdown = output.read_text(encoding="utf-8")
    assert markdown.startswith("# INC-1: Checkout returning 5xx after deploy")
    for section in ("## Summary", "## Key times", "## Responders", "## Timeline", "## Action items"):
        assert section in markdown
    assert "| Time to mitigate |" in markdown and "| Time to resolve |" in markdown
    timeline = markdown.split("## Timeline", 1)[1].split("\n## ", 1)[0]
    for kind in ("Declared", "Runbook", "Handover", "Pinned", "Update", "Reminder", "Severity", "Status"):
        assert f"· {kind} ·" in timeline, kind
    assert "Error rate jumped from 0.1% to 12%" in timeline
    assert "| Add a canary stage to checkout deploys | carol |" in markdown.replace("Carol", "carol")


def test_a_step_that_does_not_show_what_slack_would_fails_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(demo: player.Demo) -> None:
        demo.command("alice", "general", "help")
        demo.wait("a unicorn in #general", lambda: demo.bot_message("general", "unicorn"), timeout=0.5)

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(script, "STEPS", (player.Step("Look for a unicorn", broken),))
    out = io.StringIO()
    code = script.run_demo(speed=0, color=False, output=tmp_path / "pm.md", file=out)
    assert code == 1
    text = out.getvalue()
    assert "Alice Moreau types in #general: /incident help" in text
    assert "FIREBELL: /INCIDENT" in text  # the ephemeral help was shown
    assert "✘ expected a unicorn in #general within 0.5s; Slack does not show it" in text
    assert "firebell demo: step 1 (Look for a unicorn) failed." in text
    assert not (tmp_path / "pm.md").exists()


@pytest.mark.slow  # the whole alert scenario in a real process
def test_the_alert_scenario_declares_from_an_alert_and_coalesces_the_rest(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FIREBELL_CONFIG")}
    done = subprocess.run(
        [sys.executable, "-m", "firebell", "demo", "--scenario", "alert", "--speed", "0", "--no-color"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=90,
    )
    transcript = done.stdout
    assert done.returncode == 0, transcript + done.stderr
    for expected in (
        "── 1/5 A critical alert declares an incident",
        "Alertmanager POSTs /api/v1/alerts/prometheus: HighHTTP5xxRate (firing)",
        "*Alerts* (1)",
        "declared from alerts (prometheus)",
        "[I'm the IC]",
        "‹@Alice Moreau› took command: now the Incident Commander.",
        "more alert",
        "*All alerts resolved*",
        "All 5 steps showed what Slack would show",
    ):
        assert expected in transcript, f"{expected!r} not in the transcript:\n{transcript}"
    assert transcript.count("*All alerts resolved*") == 1  # resolved re-sent three times: told once
    assert "‹@" not in transcript.split("── 2/5")[0].replace("‹@name›", "")  # no mention before anyone leads
    assert not list(tmp_path.iterdir())  # nothing left in the working directory


@pytest.mark.slow  # the whole paging scenario in a real process
def test_the_paging_scenario_pages_acknowledges_and_escalates(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FIREBELL_CONFIG")}
    done = subprocess.run(
        [sys.executable, "-m", "firebell", "demo", "--scenario", "paging", "--speed", "0", "--no-color"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=90,
    )
    transcript = done.stdout
    assert done.returncode == 0, transcript + done.stderr
    for expected in (
        "── 1/6 A SEV2 for checkout pages its on-call at once",
        "DM Firebell↔Bob Okafor",
        ":rotating_light: *You are paged for INC-1* (SEV2): Checkout returns 502s",
        "[Acknowledge] [I can't] [Escalate]",
        "‹@Bob Okafor› acknowledged (",
        "‹@Dave Tanaka› can't take the page",
        "DM Firebell↔Erin Walsh",
        "‹@Erin Walsh› acknowledged (",
        "All 6 steps showed what Slack would show",
    ):
        assert expected in transcript, f"{expected!r} not in the transcript:\n{transcript}"
    assert not list(tmp_path.iterdir())  # nothing left in the working directory
