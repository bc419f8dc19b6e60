"""Titles of alert-born incidents and the war room's note headlines (pure)."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from firebell.domain.alert_incidents import MAX_TITLE, AlertNote, alert_born_title, note_summary
from firebell.domain.policy import Policy


def test_the_title_names_the_most_frequent_alert_the_service_and_how_many_more() -> None:
    names = ["KubePodCrashLooping", "HighErrorRate", "KubePodCrashLooping"]
    assert alert_born_title(names, service="checkout") == "KubePodCrashLooping on checkout (+2 more alerts)"
    assert alert_born_title(["DiskFull"], service=None) == "DiskFull"
    assert alert_born_title(["A", "B"], service="db") == "A on db (+1 more alert)"
    assert alert_born_title([], service="db") == "Alerts firing on db"
    assert alert_born_title(["Disk\x00Full"], service=None) == "DiskFull"  # a NUL never fails the declare


def test_the_senders_title_wins_and_long_titles_are_cut_between_words() -> None:
    assert alert_born_title(["A"], service="x", sender_title="  [FIRING:2]   Disk   full ") == "[FIRING:2] Disk full"
    long = alert_born_title(["word " * 100], service="svc")
    assert len(long) <= MAX_TITLE and long.endswith("word…")


def note(**fields: object) -> AlertNote:
    base: dict[str, object] = {
        "fired": 0,
        "refired": 0,
        "resolved": 0,
        "firing_now": 1,
        "names": (),
        "last_resolved_at": None,
    }
    return AlertNote(**{**base, **fields})  # type: ignore[arg-type]


def test_a_note_says_what_changed() -> None:
    assert note_summary(note(fired=3, resolved=2)) == "3 more alerts, 2 resolved"
    assert note_summary(note(fired=1, refired=2)) == "1 more alert, 2 firing again"
    assert note(fired=0).empty and not note(resolved=1).empty


def test_all_resolved_only_when_nothing_fires_and_a_resolve_is_among_the_changes() -> None:
    at = datetime(2026, 12, 7, 14, 3, tzinfo=UTC)
    assert note(resolved=2, firing_now=0, last_resolved_at=at).all_resolved
    assert not note(resolved=2, firing_now=1, last_resolved_at=at).all_resolved
    assert not note(fired=1, firing_now=0).all_resolved  # nothing resolved since the last note: said already


def test_triage_owner_is_a_slack_user_id() -> None:
    assert Policy(triage_owner=" U012AB3CD ").triage_owner == "U012AB3CD"
    assert Policy(triage_owner="").triage_owner is None
    with pytest.raises(ValidationError, match="Slack user id"):
        Policy(triage_owner="@alice")
