"""Resolve drafts the postmortem in the war room: file upload, summary, announcement link; API and CLI agree."""

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import delete

from firebell.emulator.models import File, Message
from firebell.store.models import TimelineEvent
from tests.harness import Firebell
from tests.slack.test_war_room import command, declare


def summaries(firebell: Firebell, room: str) -> list[Message]:
    """The Block Kit summaries of postmortem drafts posted in the war room."""
    return [
        m
        for m in firebell.bot_messages(room)
        if any(b.get("type") == "header" and "postmortem" in json.dumps(b) for b in m.blocks)
    ]


def resolve_and_wait(firebell: Firebell, room: str) -> File:
    command(firebell, "resolve Index rebuilt; error rate back to normal", room, user="alice")
    file: File = firebell.wait_for(lambda: firebell.emu.files[-1] if firebell.emu.files else None, what="the upload")
    return file


def without_stamp(markdown: str) -> str:
    """The draft without the line that says when it was generated."""
    return "\n".join(line for line in markdown.splitlines() if not line.startswith("Postmortem draft, generated"))


def test_resolve_posts_the_draft_file_summary_and_announcement_link(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell, "declare sev1 Checkout failing")
    bob = emu.user_id("bob")
    command(firebell, f"ic <@{bob}|bob>", room)
    command(firebell, "update Failing over the database", room, user="bob")
    message = firebell.driver.post_as_user("carol", room, "DB CPU pinned at 100%")
    firebell.driver.react("bob", room, message.ts)
    firebell.wait_for(lambda: any(kind == "pin" for kind, _, _ in firebell.timeline(1)), what="the pin")
    file = resolve_and_wait(firebell, room)
    firebell.settle()
    assert room in file.channels
    markdown = (file.content or b"").decode()
    assert markdown.startswith("# INC-1: Checkout failing")
    assert "Index rebuilt; error rate back to normal." in markdown
    assert "- Incident Commanders in turn: alice, then bob" in markdown.replace("Alice", "alice").replace("Bob", "bob")
    assert "DB CPU pinned at 100%" in markdown
    assert emu.user_id("alice") not in markdown  # names were looked up with users.info
    [summary] = summaries(firebell, room)
    dumped = json.dumps(summary.blocks)
    assert "Time to resolve" in dumped and "Read the full draft" in dumped
    buttons = [e["action_id"] for b in summary.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["review.edit", "review.add_action"]
    incident = firebell.incident(1)
    thread = [
        m for m in emu.messages(incident.announcement_channel_id or "") if m.thread_ts == incident.announcement_ts
    ]
    assert any("postmortem" in m.text for m in thread)
    assert firebell.incident(1).status.value == "resolved"


def test_api_and_cli_return_the_same_markdown(firebell: Firebell) -> None:
    room = declare(firebell)
    file = resolve_and_wait(firebell, room)
    firebell.settle()
    response = firebell.api("/api/v1/incidents/1/postmortem")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    assert response.text.splitlines()[0] == "# INC-1: Checkout failing"
    # The same but the stamp and the war-room link: the outbox knows the workspace's address from auth.test,
    # the API and the CLI do not ask Slack, so they link through Slack's redirect.
    posted = (file.content or b"").decode()
    assert f"(https://firebell.slack.com/archives/{room})" in posted
    assert f"(https://slack.com/app_redirect?channel={room})" in response.text
    direct = posted.replace(
        f"https://firebell.slack.com/archives/{room}", f"https://slack.com/app_redirect?channel={room}"
    )
    assert response.text.split("\n", 4)[4] == direct.split("\n", 4)[4]
    env = {
        "DATABASE_URL": firebell.runtime.settings.database_url,
        "PATH": "/usr/bin:/bin",
        "HOME": str(Path.home()),
    }
    cli = subprocess.run(
        [sys.executable, "-m", "firebell", "postmortem", "1"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert cli.returncode == 0, cli.stderr
    assert without_stamp(cli.stdout) == without_stamp(response.text)
    assert firebell.api("/api/v1/incidents/9/postmortem").status_code == 404


def test_edited_sections_survive_regeneration(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    room = declare(firebell)
    resolve_and_wait(firebell, room)
    firebell.settle()
    [summary] = summaries(firebell, room)
    driver.click("alice", room, summary.ts, "review.edit", value="1")
    view = firebell.wait_for(lambda: next((v for v in emu.views.values() if v.callback_id == "review.sections"), None))
    driver.submit_view(
        "alice",
        view.id,
        {
            "summary": "Checkout failed for EU customers.",
            "contributing_factors": "An index was missing.",
            "lessons": "Failover drills pay off.",
        },
    )
    firebell.wait_for(lambda: firebell.timeline(1)[-1][2] == "Postmortem sections edited", what="the edit")
    reply = command(firebell, "postmortem", room)
    assert "Drafting the INC-1 postmortem again" in reply
    second = firebell.wait_for(lambda: emu.files[1] if len(emu.files) > 1 else None, what="the second draft")
    markdown = (second.content or b"").decode()
    assert "Checkout failed for EU customers." in markdown
    assert "An index was missing." in markdown
    assert "Which conditions in our systems" not in markdown
    firebell.settle()
    assert len(summaries(firebell, room)) == 2


def test_postmortem_before_resolve_is_explained(firebell: Firebell) -> None:
    room = declare(firebell)
    assert "still open" in command(firebell, "postmortem", room)


def test_upload_faults_are_retried_and_post_once(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    emu.faults.add("files.completeUploadExternal", kind="disconnect_after", times=1)
    emu.faults.add("files.getUploadURLExternal", kind="server_error", times=1)
    resolve_and_wait(firebell, room)
    firebell.settle(timeout=20)
    assert len([f for f in emu.files if f.completed]) == 1
    assert len(summaries(firebell, room)) == 1


def test_a_draft_that_fails_is_reported_once_and_retried(firebell: Firebell) -> None:
    """A timeline event this version cannot read (written by a newer release, say) breaks the draft:
    resolving still succeeds, the war room hears about it once, and the draft follows once it is fixed."""
    room = declare(firebell)
    incident = firebell.incident(1)
    with firebell.runtime.ctx.db.transaction() as session:
        session.add(TimelineEvent(incident_id=incident.id, at=incident.declared_at, kind="from_the_future", text="?"))
    assert "INC-1 is resolved" in command(firebell, "resolve", room)
    firebell.wait_for(
        lambda: [m for m in firebell.bot_messages(room) if "could not draft" in m.text], what="the failure notice"
    )
    firebell.wait_for(  # the outbox records several more attempts meanwhile
        lambda: any(e.kind == "post_postmortem" and e.attempts >= 3 for e in firebell.pending_effects()),
        what="the draft retried",
    )
    assert len([m for m in firebell.bot_messages(room) if "could not draft" in m.text]) == 1
    assert firebell.incident(1).status.value == "resolved"
    # The failing draft holds up nothing else in the war room.
    assert any(
        "resolved by" in m.blocks[0]["text"]["text"]
        for m in firebell.bot_messages(room)
        if m.blocks and m.blocks[0].get("text")
    )
    command(firebell, "reopen the errors are back", room)
    firebell.wait_for(
        lambda: any("reopened" in m.text for m in firebell.bot_messages(room)),
        what="the reopen notice during the failure",
    )
    with firebell.runtime.ctx.db.transaction() as session:
        session.execute(delete(TimelineEvent).where(TimelineEvent.kind == "from_the_future"))
    firebell.wait_for(lambda: summaries(firebell, room), timeout=15, what="the draft after the fix")
