"""The runbook checklist: Markdown to mrkdwn, and long runbooks kept within Slack's limits."""

from firebell.emulator.blocks import blocks_text_length, validate_blocks
from firebell.services.runbooks import Checklist, ChecklistStep
from firebell.slack.blocks.runbooks import MAX_STEPS, checklist_message, markdown_to_mrkdwn


def _run(steps: list[ChecklistStep]) -> Checklist:
    return Checklist(
        run_id=7, incident_id=1, slug="db-failover", title="DB <failover>", owner=None, posted_by="U1", steps=steps
    )


def _step(number: int, detail: str = "") -> ChecklistStep:
    return ChecklistStep(number=number, title=f"Step {number}", detail=detail, commands=[])


def test_links_bold_and_code_convert_and_the_rest_is_escaped() -> None:
    text = "See [the dashboard](https://grafana.example.com/d?a=1&b=2) **now** if x < y\n```\nkubectl get pods | grep <name>\n```"
    out = markdown_to_mrkdwn(text)
    assert "<https://grafana.example.com/d?a=1&b=2|the dashboard>" in out
    assert "*now*" in out
    assert "x &lt; y" in out
    assert "```kubectl get pods | grep &lt;name&gt;```" in out


def test_a_link_inside_code_stays_code() -> None:
    out = markdown_to_mrkdwn("```\ncurl [x](https://a.example)\n```")
    assert out == "```curl [x](https://a.example)```"


def test_short_steps_are_shown_whole_each_with_a_done_button() -> None:
    message = checklist_message(_run([_step(1, "Check replication lag."), _step(2, "Promote the replica.")]))
    sections = [b for b in message.blocks if b["type"] == "section" and "accessory" in b]
    assert [b["text"]["text"] for b in sections] == [
        "*1. Step 1*\nCheck replication lag.",
        "*2. Step 2*\nPromote the replica.",
    ]
    assert [b["accessory"]["value"] for b in sections] == ["7:1", "7:2"]
    assert "DB &lt;failover&gt;" in message.text


def test_long_steps_share_the_budget_and_point_to_the_file() -> None:
    long_detail = "\n".join(f"line {n}: " + "x" * 80 for n in range(80))  # ~7,000 characters each
    steps = [_step(1, "Short step."), _step(2, long_detail), _step(3, long_detail)]
    message = checklist_message(_run(steps))
    assert validate_blocks(message.blocks) == []
    assert blocks_text_length(message.blocks) <= 12_000
    texts = [b["text"]["text"] for b in message.blocks if b["type"] == "section" and "accessory" in b]
    assert texts[0] == "*1. Step 1*\nShort step."  # a short step is never cut to make room
    for text in texts[1:]:
        assert text.endswith("_… the rest of this step is in `db-failover.md`_")
        assert "line 0:" in text


def test_a_cut_inside_a_code_block_closes_it() -> None:
    detail = "Run:\n```\n" + "\n".join(f"echo {n} " + "y" * 90 for n in range(60)) + "\n```"
    text = next(
        b["text"]["text"]
        for b in checklist_message(_run([_step(1, detail)])).blocks
        if b["type"] == "section" and "accessory" in b
    )
    body = text.split("\n_…")[0]
    assert body.count("```") % 2 == 0
    assert len(text) <= 3000


def test_more_steps_than_fit_are_counted() -> None:
    message = checklist_message(_run([_step(n) for n in range(1, MAX_STEPS + 6)]))
    assert validate_blocks(message.blocks) == []
    assert message.blocks[-1]["type"] == "context"
    assert "5 more steps in `db-failover.md`" in message.blocks[-1]["elements"][0]["text"]
