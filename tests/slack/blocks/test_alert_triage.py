"""The triage message builder: pure, from a TriageState to Block Kit within Slack's limits, escaped."""

import json
from datetime import UTC, datetime

from firebell.domain.alert_triage import TriageAlert, TriageState
from firebell.emulator.mentions import mentions
from firebell.slack.blocks.alert_triage import alert_line, safe_link, triage_message

AT = datetime(2026, 12, 7, 14, 3, tzinfo=UTC)


def alert(name: str = "DiskFilling", status: str = "firing", **kw: object) -> TriageAlert:
    fields: dict[str, object] = {
        "name": name,
        "status": status,
        "labels": {"alertname": name, "service": "db", "instance": "db1:9100", "job": "node"},
        "annotations": {"summary": "Disk 95% full"},
    }
    fields.update(kw)
    return TriageAlert(**fields)  # type: ignore[arg-type]


def state(alerts: list[TriageAlert], **kw: object) -> TriageState:
    firing = sum(a.status == "firing" for a in alerts)
    fields: dict[str, object] = {
        "group_id": 3,
        "source": "prometheus",
        "service": "db",
        "severity": "SEV3",
        "title": "Disk filling",
        "status": "open",
        "firing": firing,
        "resolved": len(alerts) - firing,
        "alerts": alerts,
    }
    fields.update(kw)
    return TriageState(**fields)  # type: ignore[arg-type]


def text_of(blocks: list[dict[str, object]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def texts(blocks: list[dict[str, object]]) -> list[str]:
    """Every mrkdwn text of the blocks (plain_text, as in the header, is never parsed for mentions)."""
    found: list[str] = []
    for block in blocks:
        for part in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:  # type: ignore[misc]
            if isinstance(part, dict) and part.get("type") == "mrkdwn":
                found.append(str(part["text"]))
    return found


def test_an_alert_line_names_labels_summary_and_links() -> None:
    line = alert_line(alert(generator_url="https://prom.example/graph?a=1&b=2", silence_url="localhost:3000/x"))
    assert line.startswith(":fire: *DiskFilling* · instance=db1:9100, job=node · Disk 95% full")
    assert "<https://prom.example/graph?a=1&amp;b=2|source>" in line
    assert "localhost:3000" not in line  # no scheme: not a link, not shown


def test_only_http_addresses_become_links() -> None:
    assert safe_link("javascript:alert(1)", "x") is None
    assert safe_link("https://a.example/x|<!channel>", "x") is None
    assert safe_link("ftp://a.example", "x") is None
    assert safe_link("http://a.example/" + "x" * 2000, "x") is None
    assert safe_link("https://a.example/d/1", "dashboard") == "<https://a.example/d/1|dashboard>"


def test_markup_in_alerts_pings_nobody_and_is_shown_as_written() -> None:
    hostile = alert(
        name="<!channel>",
        labels={"alertname": "<!channel>", "pod": "<@U123ABC>", "team": "a&b"},
        annotations={"summary": "<!everyone> *now* <https://evil.example|click here>"},
    )
    message = triage_message(state([hostile], title="<!here> Disk", notification_reason="<!subteam^S1>"))
    assert mentions(message.text) == set()
    assert texts(message.blocks)
    for text in texts(message.blocks):
        assert mentions(text) == set(), text
    shown = text_of(message.blocks)
    assert "&lt;!channel&gt;" in shown and "pod=&lt;@U123ABC&gt;" in shown and "team=a&amp;b" in shown
    assert "&lt;https://evil.example|click here&gt;" in shown  # shown, not a link


def test_long_text_is_cut_at_a_word_before_escaping() -> None:
    summary = "&&&& " * 200
    [line_block] = [
        b
        for b in triage_message(state([alert(annotations={"summary": summary})])).blocks
        if "DiskFilling" in text_of([b])
    ]
    line = line_block["text"]["text"]
    assert line.endswith("&amp;&amp;&amp;&amp;…")  # a whole word, then the mark: no broken entity


def test_many_alerts_are_listed_within_limits_and_the_rest_counted() -> None:
    many = [alert(f"Alert{i}", annotations={"summary": "word " * 60}) for i in range(60)]
    message = triage_message(state(many[:20], firing=60))
    assert len(message.blocks) <= 50
    assert all(len(t) <= 3000 for t in texts(message.blocks))
    assert sum(len(t) for t in texts(message.blocks)) < 12_000
    assert "…and 40 more alerts in this group" in text_of(message.blocks)


def test_what_the_sender_says_about_itself() -> None:
    message = triage_message(
        state(
            [alert()],
            truncated_alerts=12,
            notification_reason="repeat interval",
            external_url="http://alertmanager:9093",
        )
    )
    shown = text_of(message.blocks)
    assert "…and 12 more alerts not sent" in shown
    assert "Sent because: repeat interval" in shown
    assert "<http://alertmanager:9093|Open in prometheus>" in shown


def test_decisions_as_shown() -> None:
    looking = triage_message(state([alert()], decision="acknowledged", decided_by="U0ALICE00", decided_at=AT))
    assert ":eyes: <@U0ALICE00> is looking since <!date^" in text_of(looking.blocks)
    declined = triage_message(
        state([alert()], decision="declined", reason="noise", note="flaps", decided_by="U0BOB0000", decided_at=AT)
    )
    assert "Declined as *noise* by <@U0BOB0000>: flaps" in text_of(declined.blocks)
    declared = triage_message(
        state([alert()], decision="declared", incident_number=12, incident_channel_id="C0ROOM", decided_by="U0BOB0000")
    )
    assert "Declared as *INC-12* by <@U0BOB0000> (<#C0ROOM>)" in text_of(declared.blocks)
    assert not [b for b in declared.blocks if b["type"] == "actions"]
    attached = triage_message(state([alert()], decision="attached", incident_number=9, decided_by="U0BOB0000"))
    assert "Attached to *INC-9*" in text_of(attached.blocks)
    closed = triage_message(state([alert(status="resolved")], status="closed", closed_at=AT))
    assert "All resolved at <!date^" in text_of(closed.blocks)


def test_declines_of_alike_groups_are_counted_on_the_message() -> None:
    message = triage_message(state([alert()], declined_before={"noise": 3, "expected": 1}))
    assert "declined in the last 7 days: noise ×3, expected ×1" in text_of(message.blocks)


def test_an_alert_of_only_markup_still_fits_one_section_whole() -> None:
    hostile = alert(
        name="<" * 500,
        labels={"a" * 40: "&" * 80, "b" * 40: ">" * 80, "c" * 40: "<" * 80, "d" * 40: "&" * 80},
        annotations={"summary": "<" * 240},
        generator_url="https://a.example/" + "x" * 900,
        dashboard_url="https://b.example/" + "y" * 900,
    )
    line = alert_line(hostile)
    assert len(line) <= 2_000
    assert line.count("&lt;") >= 119 and "<https://" not in line  # the links went first, whole
    message = triage_message(state([hostile] * 20))
    assert all(len(t) <= 3000 for t in texts(message.blocks))
    assert sum(len(t) for t in texts(message.blocks)) < 12_000
