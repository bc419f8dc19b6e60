"""Long lists in DMs and room notices stay inside Slack's block limits without cutting a line apart."""

from typing import Any

from firebell.emulator.blocks import blocks_text_length, validate_blocks
from firebell.slack.blocks.kit import SECTION_TEXT_LIMIT, list_sections
from firebell.slack.blocks.review import nudge_message, unowned_message
from firebell.slack.blocks.runbooks import review_message


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_short_list_is_one_section_with_every_line() -> None:
    blocks = list_sections("Intro:", ["• a", "• b"], what="items")
    assert _texts(blocks) == ["Intro:\n• a\n• b"]


def test_long_list_splits_between_lines_and_counts_what_is_left_out() -> None:
    lines = [f"• item {n} " + "&amp;" * 100 for n in range(200)]
    blocks = list_sections("Intro:", lines, what="items", max_sections=3)
    texts = _texts(blocks)
    assert len(texts) == 3
    assert all(len(t) <= SECTION_TEXT_LIMIT for t in texts)
    shown = [line for t in texts for line in t.split("\n") if line.startswith("•")]
    assert shown == lines[: len(shown)]  # whole lines, in order, none cut through an entity
    assert blocks[-1]["type"] == "context"
    assert f"+{200 - len(shown)} more items" in blocks[-1]["elements"][0]["text"]


def test_nudge_for_many_overdue_items_is_valid_block_kit() -> None:
    items = [
        {"id": n, "label": f"INC-{n}", "text": "Fix <the> & retry " * 30, "due": "2026-11-01", "days_overdue": 3}
        for n in range(300)
    ]
    message = nudge_message({"items": items})
    assert validate_blocks(message.blocks) == []
    assert blocks_text_length(message.blocks) <= 12_000
    assert "300 overdue action items" in message.text
    assert "more overdue items" in message.blocks[-2]["elements"][0]["text"]


def test_unowned_and_runbook_review_lists_are_valid_block_kit() -> None:
    unowned = unowned_message({"items": [{"id": n, "text": "x" * 400, "due": "2026-11-01"} for n in range(100)]})
    review = review_message(
        {
            "user": "U0OWNER",
            "runbooks": [{"title": "t" * 300, "file": f"r{n}.md", "review_by": "2026-01-01"} for n in range(200)],
        }
    )
    for message in (unowned, review):
        assert validate_blocks(message.blocks) == []
        assert blocks_text_length(message.blocks) <= 12_000
        assert len(_texts(message.blocks)) > 1
