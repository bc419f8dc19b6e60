"""`firebell playground` fed a script: every kind of input, and what the session prints back."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from firebell.demo import playground
from firebell.demo.playground import run_playground

SCRIPT = """\
/incident declare sev2 Search is slow
:wait 1
:channels
:open inc-1
/incident status
:as bob
/incident ic @bob
:wait 1
Search p99 is 4s since the index rebuild
:messages
:pin 3
:click post update
:submit text=Reindex paused; p99 back to 900ms
/incident sev 3
/incident note carol is checking the replicas
/incident role scribe @carol
/incident action Alert on search p99 @carol due in 3d
/incident actions
/incident runbook tls
/incident timeline
/incident list
/incident mitigate
/incident reopen it is back
/incident resolve Index rebuilt
:wait 2
/incident postmortem
/incident close
:click Nope
:bogus
/deploy now
:pin 999
:as zed
:open nowhere
:cancel
:open dm
/incident actions mine
:quit
/incident help
"""


@pytest.mark.slow  # a whole scripted session, with its :wait pauses
def test_playground_session() -> None:
    out = io.StringIO()
    code = run_playground(user="alice", color=False, stdin=io.StringIO(SCRIPT), file=out)
    text = out.getvalue()
    assert code == 0, text

    def after(prompt: str) -> str:
        """What the session printed in answer to one input line."""
        start = text.index(prompt) + len(prompt)
        following = re.search(r"^\w+ in (#|DM )", text[start:], re.MULTILINE)
        return text[start : start + following.start()] if following else text[start:]

    assert "Firebell playground" in text
    declared = after("alice in #general> /incident declare sev2 Search is slow")
    assert "Declared *INC-1* (SEV2): Search is slow" in declared
    assert "#inc-1-search-is-slow  channel created" in text
    assert "#inc-1-search-is-slow" in after("alice in #general> :channels")
    assert "You are in #inc-1-search-is-slow." in after("alice in #general> :open inc-1")
    assert "(only visible to Alice Moreau)" in after("alice in #inc-1-search-is-slow> /incident status")
    assert "You are now Bob Okafor (@bob)." in text
    assert "‹@Bob Okafor› is now the Incident Commander of INC-1" in after("bob in #inc-1-search-is-slow> /incident ic")
    assert "Command handed over: ‹@Bob Okafor›" in text
    assert "(@Bob Okafor has joined the channel)" in text
    assert "3. " in after("bob in #inc-1-search-is-slow> :messages")
    assert "Added ‹@Bob Okafor›'s message to the timeline" in after("bob in #inc-1-search-is-slow> :pin 3")
    opened = after("bob in #inc-1-search-is-slow> :click post update")
    assert "'Update INC-1' opened for Bob Okafor" in opened
    assert "fields: severity*, status*, text* (* required)" in opened
    assert "Reindex paused; p99 back to 900ms" in after("bob in #inc-1-search-is-slow> :submit text=Reindex paused")
    assert "Severity lowered from *SEV2* to *SEV3*" in after("bob in #inc-1-search-is-slow> /incident sev 3")
    assert "Noted on the INC-1 timeline" in after("bob in #inc-1-search-is-slow> /incident note")
    assert "is now scribe of INC-1" in after("bob in #inc-1-search-is-slow> /incident role scribe")
    assert "Action item *#1* added (‹@Carol Lindqvist›" in after("bob in #inc-1-search-is-slow> /incident action ")
    assert "Alert on search p99" in after("bob in #inc-1-search-is-slow> /incident actions\n")
    assert "TLS" in after("bob in #inc-1-search-is-slow> /incident runbook tls").upper()
    assert "INC-1 TIMELINE" in after("bob in #inc-1-search-is-slow> /incident timeline")
    assert "OPEN INCIDENTS (1)" in after("bob in #inc-1-search-is-slow> /incident list")
    assert "INC-1 is mitigated" in after("bob in #inc-1-search-is-slow> /incident mitigate")
    assert "INC-1 is reopened" in after("bob in #inc-1-search-is-slow> /incident reopen")
    assert "INC-1 is resolved" in after("bob in #inc-1-search-is-slow> /incident resolve Index rebuilt")
    assert text.index("INC-1 POSTMORTEM DRAFT") < text.index("> /incident postmortem")
    assert "Drafting the INC-1 postmortem again" in after("bob in #inc-1-search-is-slow> /incident postmortem")
    assert "only visible to Bob Okafor" in after("bob in #inc-1-search-is-slow> /incident close")
    assert "none is “Nope”" in after("bob in #inc-1-search-is-slow> :click Nope")
    assert "Unknown playground command :bogus. Type :help" in text
    assert "/deploy is not a command in this workspace" in text
    assert "Say which message: :pin <n>" in text
    assert "No one called zed here." in text
    assert "“nowhere” matches no channels" in text
    assert "bob has no open form" in text
    assert "Your open action items:" in after("bob in DM Firebell↔Bob Okafor> /incident actions mine")
    assert "Bye." in text
    assert "/incident help" not in text.split("> :quit", 1)[1]  # nothing after :quit runs


@pytest.mark.slow  # the playground's real scheduler, on the real clock
def test_reminders_from_the_scheduler_arrive_while_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(playground, "PLAYGROUND_INTERVALS", {"SEV1": "2s", "SEV2": "1m", "SEV3": "2m"})
    session = "/incident declare sev1 Payments down\n:wait 5\n:quit\n"
    out = io.StringIO()
    assert run_playground(user="alice", color=False, stdin=io.StringIO(session), file=out) == 0
    text = out.getvalue()
    waited = text.split("> :wait 5", 1)[1]
    assert "a status update for *INC-1* is due" in waited  # printed by the watcher, nobody typed anything


CLICK_SCRIPT = """\
/incident declare sev2 Search is slow
:open inc-1
/incident update reindex paused
:messages
:click 1 "Post update"
:cancel
:click 1 mitigate
:click 99 Resolve
:click 2 Resolve
:click 1 Nope
:quit
"""


def test_click_names_a_button_of_any_numbered_message() -> None:
    out = io.StringIO()
    assert run_playground(user="alice", color=False, stdin=io.StringIO(CLICK_SCRIPT), file=out) == 0
    text = out.getvalue()
    room = "alice in #inc-1-search-is-slow> "

    def after(line: str) -> str:
        start = text.index(room + line) + len(room + line)
        following = text.find(room, start)
        return text[start : following if following >= 0 else None]

    listed = after(":messages")
    assert re.search(
        r"  1\. .*\[Post update\] \[Change severity\] \[Public update\] \[Mitigate\] \[Resolve\]", listed
    ), listed
    assert "'Update INC-1' opened for Alice Moreau" in after(':click 1 "Post update"')
    assert "(pressing [Mitigate] on the message from" in after(":click 1 mitigate")
    assert "*Status*: :adhesive_bandage: Mitigated" in after(":click 1 mitigate")
    assert "Say which message: :click <n> <button>, n from 1 to" in after(":click 99 Resolve")
    assert "Message 2 has no buttons; messages here with buttons: 1." in after(":click 2 Resolve")
    assert re.search(
        r"Message 1 shows \[.*\[Post update\] \[Change severity\] \[Public update\] \[Resolve\] \[Reopen\]; none is “Nope”",
        text,
    )


def test_form_dates_and_times_are_entered_as_slack_pickers_send_them() -> None:
    """A date or time the pickers could not send is refused with how to enter it, never a traceback."""
    started = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")  # the playground's real clock
    script = (
        "/incident declare sev2 Search is slow\n:open inc-1\n/incident resolve Index rebuilt\n"
        ":click Edit summary\n:submit review_on=tomorrow\n:submit impact_started_at=yesterday\n"
        f":submit review_on=2026-12-24 | impact_started_at={started}\n:quit\n"
    )
    out = io.StringIO()
    assert run_playground(user="alice", color=False, stdin=io.StringIO(script), file=out) == 0
    text = out.getvalue()
    assert "Traceback" not in text
    assert "a date picker picks a day, sent as YYYY-MM-DD (e.g. 2026-12-07), not 'tomorrow'" in text
    assert "given as YYYY-MM-DD HH:MM (UTC) or epoch seconds, not 'yesterday'" in text
    assert "(form submitted and closed)" in text
    assert "YYYY-MM-DD HH:MM in UTC" in playground.HELP


ONCALL_SCRIPT = """\
/oncall
/oncall cover search for 2h
/oncall me
/oncall maintenance checkout 1h
/oncall help
:quit
"""


def test_the_playground_runs_oncall_against_its_own_schedules() -> None:
    out = io.StringIO()
    assert run_playground(user="alice", color=False, stdin=io.StringIO(ONCALL_SCRIPT), file=out) == 0
    text = out.getvalue()
    assert "/oncall is not a command" not in text
    assert "ON CALL NOW" in text and "*checkout-primary*:" in text and "*search*:" in text
    assert "Override 1: ‹@Alice Moreau› is on call for *search*" in text
    # Alice may also be on checkout-primary's shift at the moment the test runs: only search is certain.
    assert re.search(r"you are on call now: [^\n]*\*search\* until", text)
    assert ":construction: *checkout* is in maintenance now" in text and "(1h)" in text
    assert "FIREBELL: /ONCALL" in text


STATUSPAGE_SCRIPT = """\
/incident declare sev1 Payments down
:open inc-1
/incident statuspage
:submit title=Card payments failing | body=We are looking into failed card payments <!channel>
:messages
:quit
"""


def test_statuspage_opens_the_public_update_form_in_the_playground() -> None:
    out = io.StringIO()
    assert run_playground(user="alice", color=False, stdin=io.StringIO(STATUSPAGE_SCRIPT), file=out) == 0
    text = out.getvalue()
    room = "alice in #inc-1-payments-down> "
    opened = text.split(room + "/incident statuspage", 1)[1]
    assert "'Public update INC-1' opened for Alice Moreau" in opened
    assert "fields: title*, status*, components" in opened
    assert "(form submitted and closed)" in text
    # Alice declared it, so she leads it and publishes at once; the room gets the public link.
    assert "Public update published by ‹@Alice Moreau› (*Investigating*)" in text
    assert re.search(r"http://127\.0\.0\.1:\d+/status/incidents/[a-z0-9]{12}", text)
    assert "<!channel>" not in text.split(room + ":messages", 1)[1]  # stays text, never a broadcast
