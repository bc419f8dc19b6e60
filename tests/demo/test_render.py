"""Block Kit rendered as terminal text: what a person would read in the Slack client."""

from typing import Any

from firebell.demo.compose import as_slack_sends
from firebell.demo.render import Names, block_lines, buttons, mrkdwn, render_message, styled
from firebell.demo.stack import demo_workspace

NAMES = Names(
    user={"U1": "Alice Moreau", "U2": "Bob Okafor"}.get,
    channel={"C1": "inc-1-db-down"}.get,
)


def plain(text: str, kind: str = "mrkdwn") -> dict[str, Any]:
    return {"type": kind, "text": text}


def test_mrkdwn_tokens_become_what_slack_shows() -> None:
    text = (
        "<@U1> handed over to <@U2|bob> in <#C1>; ask <!here> or <!subteam^S9|@dba-oncall>. "
        "See <https://example.com/pm|the draft> and <https://example.com>. "
        "Declared <!date^1795499304^{date_short_pretty} {time}|2026-11-24 05:48 UTC>. 5 &lt; 6 &amp; ok"
    )
    assert mrkdwn(text, NAMES) == (
        "‹@Alice Moreau› handed over to ‹@Bob Okafor› in #inc-1-db-down; ask ‹@here› or ‹@dba-oncall›. "
        "See the draft (https://example.com/pm) and https://example.com. "
        "Declared 2026-11-24 05:48 UTC. 5 < 6 & ok"
    )


def test_only_mentions_that_notify_are_marked() -> None:
    """Text that reads like a mention (escaped, or never a token) is shown as text, as Slack shows it."""
    assert mrkdwn("<!channel> and <!everyone|everyone>", NAMES) == "‹@channel› and ‹@everyone›"
    assert mrkdwn("@channel &lt;!channel&gt; &lt;@U1&gt;", NAMES) == "@channel <!channel> <@U1>"
    assert mrkdwn("<@U1> in <#C1>", NAMES, pings=False) == "@Alice Moreau in #inc-1-db-down"
    rich = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "broadcast", "range": "here"},
                    {"type": "text", "text": " @here "},
                    {"type": "usergroup", "usergroup_id": "S1"},
                ],
            }
        ],
    }
    assert block_lines(rich, NAMES) == ["‹@here› @here ‹@S1›"]
    assert block_lines({"type": "header", "text": plain("<!channel> down", "plain_text")}, NAMES) == ["<!CHANNEL> DOWN"]


def test_unknown_ids_fall_back_to_the_label_then_the_id() -> None:
    assert mrkdwn("<@U9|zed> <@U8> <#C9|ops> <#C8>", NAMES) == "‹@zed› ‹@U8› #ops #C8"


def test_blocks_render_as_lines_with_buttons_as_labels() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain("INC-1: DB down", "plain_text")},
        {
            "type": "section",
            "text": plain("*SEV1*: Significant impact"),
            "fields": [plain("*Status*\n:mag: Investigating"), plain("*Incident Commander*\n<@U1>")],
        },
        {"type": "divider"},
        {"type": "context", "elements": [plain("Declared by <@U2>"), plain("via Slack", "plain_text")]},
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": plain("Post update", "plain_text"), "action_id": "a"},
                {"type": "button", "text": plain("Resolve", "plain_text"), "action_id": "b"},
                {"type": "static_select", "placeholder": plain("Severity", "plain_text"), "action_id": "c"},
            ],
        },
        {
            "type": "section",
            "text": plain("Step 1"),
            "accessory": {"type": "button", "text": plain("Done", "plain_text")},
        },
    ]
    assert render_message("fallback", blocks, NAMES) == [
        "INC-1: DB DOWN",
        "*SEV1*: Significant impact",
        "*Status*: :mag: Investigating",
        "*Incident Commander*: ‹@Alice Moreau›",
        "─" * 24,
        "Declared by ‹@Bob Okafor› · via Slack",
        "[Post update] [Resolve] [Severity ▾]",
        "Step 1",
        "[Done]",
    ]
    assert [label for label, _, _ in buttons(blocks)] == ["Post update", "Resolve", "Done"]


def test_text_is_shown_when_there_are_no_blocks() -> None:
    assert render_message("Hello <@U1>\nsecond line", [], NAMES) == ["Hello ‹@Alice Moreau›", "second line"]


def test_modal_inputs_rich_text_and_unknown_blocks() -> None:
    text_input = {
        "type": "input",
        "block_id": "text",
        "label": plain("Update", "plain_text"),
        "element": {"type": "plain_text_input", "placeholder": plain("What we know", "plain_text")},
    }
    select = {
        "type": "input",
        "label": plain("Severity", "plain_text"),
        "element": {"type": "static_select", "initial_option": {"text": plain("SEV2", "plain_text"), "value": "SEV2"}},
    }
    rich = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [{"type": "text", "text": "ping "}, {"type": "user", "user_id": "U2"}],
            }
        ],
    }
    assert block_lines(text_input, NAMES) == ["Update: [What we know]"]
    assert block_lines(select, NAMES) == ["Severity: [SEV2 ▾]"]
    assert block_lines(rich, NAMES) == ["ping ‹@Bob Okafor›"]
    assert block_lines({"type": "video"}, NAMES) == []


def test_styled_applies_emphasis_and_keeps_the_words() -> None:
    line = styled("*INC-1* is _now_ `SEV2` ~old~ :fire: 2*3*4", emoji=False)
    assert line.plain == "INC-1 is now SEV2 old :fire: 2*3*4"
    styles = {line.plain[span.start : span.end]: str(span.style) for span in line.spans}
    assert styles == {"INC-1": "bold", "now": "italic", "SEV2": "cyan", "old": "strike"}
    assert styled(":fire: hot").plain == "🔥 hot"
    pinged = styled("ask ‹@Alice Moreau› and *‹@here›* now", emoji=False)
    assert pinged.plain == "ask @Alice Moreau and @here now"  # highlighted instead of marked
    highlighted = [pinged.plain[span.start : span.end] for span in pinged.spans if "yellow" in str(span.style)]
    assert highlighted == ["@Alice Moreau", "@here"]


def test_typed_mentions_are_escaped_like_slack_does() -> None:
    emu = demo_workspace()
    bob, general = emu.user_id("bob"), emu.channel("general").id
    assert as_slack_sends(emu, "ic @bob, see #general") == f"ic <@{bob}|bob>, see <#{general}|general>"
    assert as_slack_sends(emu, "mail bob@example.com about @nobody in #nowhere") == (
        "mail bob@example.com about @nobody in #nowhere"
    )
    # Typed in the client: markup characters are sent as entities, @channel as the broadcast it is.
    assert as_slack_sends(emu, "@channel <!here> a&b @bob", typed=True) == (
        f"<!channel> &lt;!here&gt; a&amp;b <@{bob}|bob>"
    )
