"""`/oncall`'s answers stay within Slack's limits however long they get, and say what they leave out."""

from datetime import UTC, datetime, timedelta

from firebell.services.oncall.board import BoardRow
from firebell.slack.blocks.oncall import RESPONSE_URL_USES, board_reply, paged, who

NOW = datetime(2026, 1, 5, 10, tzinfo=UTC)


def _rows(count: int) -> list[BoardRow]:
    return [
        BoardRow(
            schedule=f"team-{i:04d}-primary-with-a-rather-long-name-indeed",
            users=("U0ALICE000", "U0BOB00000"),
            until=NOW + timedelta(hours=i),
            next_users=("U0DAVE0000",),
            next_from=NOW + timedelta(hours=i),
        )
        for i in range(count)
    ]


def _within_limits(blocks: list[dict[str, object]]) -> None:
    assert len(blocks) <= 50
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            assert len(str(text["text"])) <= 3000
    assert sum(len(str(b)) for b in blocks) < 12_000


def test_a_short_board_is_one_message() -> None:
    [message] = board_reply(_rows(3))
    _within_limits(message.blocks)
    assert message.blocks[0]["type"] == "header"
    assert "then <@U0DAVE0000>" in str(message.blocks) and " from " not in str(message.blocks[1])


def test_a_long_board_is_split_and_what_does_not_fit_is_counted() -> None:
    messages = board_reply(_rows(1000))
    assert len(messages) == RESPONSE_URL_USES
    for message in messages:
        _within_limits(message.blocks)
    text = "".join(str(m.blocks) for m in messages)
    shown = sum(f"team-{i:04d}-" in text for i in range(1000))
    assert 200 <= shown < 1000
    assert f"+{1000 - shown} more schedules not shown here" in str(messages[-1].blocks[-1])


def test_every_line_fits_when_lines_are_long() -> None:
    lines = ["x" * 2500] * 30
    messages = paged("Title", "intro", lines, what="lines", more="elsewhere")
    for message in messages:
        _within_limits(message.blocks)


def test_who_mentions_only_user_ids() -> None:
    assert (
        who(["U0ALICE000", "carol@example.com", "<!channel>"]) == "<@U0ALICE000>, carol@example.com, &lt;!channel&gt;"
    )
    assert who([]) == "_nobody_"
