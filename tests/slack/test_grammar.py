import pytest

from firebell.domain.errors import UnknownRole, UnknownSeverity, UsageError
from firebell.domain.policy import Policy
from firebell.slack.declare_grammar import Declare
from firebell.slack.grammar import (
    AddAction,
    AddNote,
    AssignRole,
    ChangeSeverity,
    Handover,
    Help,
    ListActions,
    ListOpen,
    Mitigate,
    PostUpdate,
    Reopen,
    Resolve,
    ShowStatus,
    ShowTimeline,
    parse_command,
)

POLICY = Policy()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("help", Help()),
        ("HELP", Help()),
        ("list", ListOpen()),
        ("declare sev1 Checkout failing", Declare(severity="SEV1", title="Checkout failing")),
        ("declare SEV2   Search   is slow", Declare(severity="SEV2", title="Search   is slow")),
        ("declare Checkout failing", Declare(severity=None, title="Checkout failing")),
        ("declare sev1", Declare(severity="SEV1", title=None)),
        ("declare", Declare(severity=None, title=None)),
        ("declare severe latency", Declare(severity=None, title="severe latency")),
        ("ic <@U0BOB0001|bob>", Handover(user_id="U0BOB0001")),
        ("ic <@U0BOB0001>", Handover(user_id="U0BOB0001")),
        ("role deputy <@U0CAROL01|carol>", AssignRole(role="deputy", user_id="U0CAROL01")),
        ("role Scribe <@W0DAVE001>", AssignRole(role="scribe", user_id="W0DAVE001")),
        ("sev 1", ChangeSeverity(severity="SEV1")),
        ("sev sev4", ChangeSeverity(severity="SEV4")),
        ("severity SEV2", ChangeSeverity(severity="SEV2")),
        ("update DB failover done, error rate falling", PostUpdate(text="DB failover done, error rate falling")),
        ("note tried restarting api-7", AddNote(text="tried restarting api-7")),
        ("mitigate", Mitigate(text=None)),
        ("mitigate rolled back v42", Mitigate(text="rolled back v42")),
        ("resolve fix deployed", Resolve(text="fix deployed")),
        ("reopen", Reopen(text=None)),
        ("status", ShowStatus()),
        ("timeline", ShowTimeline()),
    ],
)
def test_parses_every_subcommand(text: str, expected: object) -> None:
    assert parse_command(text, POLICY) == expected


def test_slack_markup_in_free_text_becomes_plain_text() -> None:
    command = parse_command("update paging <@U0BOB0001|bob> and <!channel> &amp; <https://x.io|dash>", POLICY)
    assert command == PostUpdate(text="paging @bob and @channel & dash (https://x.io)")


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        (
            "frobnicate",
            UsageError,
            r"Unknown subcommand `frobnicate`\. Valid subcommands: .*declare.*Try `/incident help`",
        ),
        (
            "declare sev9 Checkout",
            UnknownSeverity,
            r"Unknown severity `sev9`\. Valid severities: SEV1, SEV2, SEV3, SEV4",
        ),
        ("sev 9", UnknownSeverity, r"Unknown severity `9`"),
        ("sev", UsageError, r"`sev` needs a severity: `/incident sev <1-4\|sevN>`"),
        ("ic", UsageError, r"`ic` needs a user mention\. Use `/incident ic @user`"),
        ("ic bob", UsageError, r"`bob` is not a user mention"),
        ("ic <!channel>", UsageError, r"is not a user mention"),
        ("role deputy", UsageError, r"`role` needs a user mention"),
        ("role", UsageError, r"`role` needs a role and a user"),
        ("role janitor <@U0BOB0001>", UnknownRole, r"Unknown role `janitor`\. Valid roles: commander, deputy"),
        ("update", UsageError, r"`update` needs some text: `/incident update <text>`"),
        ("note   ", UsageError, r"`note` needs some text"),
        ("declare " + "x" * 201, UsageError, r"201 characters; keep it under 200"),
    ],
)
def test_bad_input_names_the_problem_and_the_valid_form(text: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        parse_command(text, POLICY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "action Add replica-lag alert <@U0BOB0001|bob> due in 3d",
            AddAction("Add replica-lag alert", "U0BOB0001", "in 3d"),
        ),
        ("action Fix retries due to timeouts", AddAction("Fix retries due to timeouts", None, None)),
        ("action <@U0BOB0001> rotate the cert due 2026-12-01", AddAction("rotate the cert", "U0BOB0001", "2026-12-01")),
        ("actions", ListActions(mine=False)),
        ("actions mine", ListActions(mine=True)),
    ],
)
def test_action_commands(text: str, expected: object) -> None:
    assert parse_command(text, Policy()) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("action", r"`action` needs a description"),
        ("action <@U0BOB0001>", r"`action` needs a description"),
        ("action fix it @bob", r"`@bob` isn't a Slack mention"),
        ("action fix it <@U0A1> <@U0B2>", r"one owner; you named 2"),
        ("actions everything", r"Use `/incident actions`"),
    ],
)
def test_bad_action_commands(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_command(text, Policy())


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("sev9", "Did you mean `/incident sev 9`? That would not work either: Unknown severity `9`."),
        ("sev1", "Did you mean `/incident sev 1`?"),
        ("SEV2", "Did you mean `/incident sev 2`?"),
        ("sev-3", "Did you mean `/incident sev 3`?"),
        ("severity2", "Did you mean `/incident sev 2`?"),
        ("resovle fixed the pool", "Did you mean `/incident resolve fixed the pool`?"),
        ("upate rolled back v42", "Did you mean `/incident update rolled back v42`?"),
        ("decalre sev2 db down", "Did you mean `/incident declare sev2 db down`?"),
        ("mitgate", "Did you mean `/incident mitigate`?"),
        ("stauts", "Did you mean `/incident status`?"),
        ("notes cache warmed", "Did you mean `/incident note cache warmed`?"),
        ("timelime", "Did you mean `/incident timeline`?"),
        ("postmortme", "Did you mean `/incident postmortem`?"),
        ("lsit", "Did you mean `/incident list`?"),
        ("hlep", "Did you mean `/incident help`?"),
        ("ic<@U0BOB0000|bob>", "Did you mean `/incident ic <@U0BOB0000|bob>`?"),
        ("reopne", "Did you mean `/incident reopen`?"),
        ("updated", "Did you mean `/incident update`? That would not work either: `update` needs some text"),
    ],
)
def test_an_unknown_subcommand_suggests_the_nearest_command(typed: str, suggested: str) -> None:
    with pytest.raises(UsageError) as unknown:
        parse_command(typed, POLICY)
    assert unknown.value.message.startswith(f"Unknown subcommand `{typed.split(maxsplit=1)[0]}`. {suggested}")


@pytest.mark.parametrize("typed", ["xyzzy", "deploy now", "icecream", "s" * 5000, "sev" + "9" * 5000])
def test_nothing_near_an_unknown_subcommand_lists_them_all(typed: str) -> None:
    with pytest.raises(UsageError) as unknown:
        parse_command(typed, POLICY)
    assert "Did you mean" not in unknown.value.message
    assert "Valid subcommands: ack, action, actions, close, declare, escalate, help, ic, list," in unknown.value.message
    assert len(unknown.value.message) < 400
