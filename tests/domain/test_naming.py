"""War-room channel names: slugified titles within Slack's limits, another valid name on a collision."""

import pytest

from firebell.domain.naming import MAX_CHANNEL_NAME, is_valid_channel_name, war_room_name, war_room_url


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Checkout failing", "inc-42-checkout-failing"),
        ("Zahlungsausfall bei Käufern 🔥🔥", "inc-42-zahlungsausfall-bei-kaufern"),
        ("Straße: 50% errors!!", "inc-42-strasse-50-errors"),
        ("🔥🔥🔥", "inc-42"),
        ("東京 outage", "inc-42-dong-jing-outage"),
    ],
)
def test_war_room_names_are_slugified(title: str, name: str) -> None:
    assert war_room_name("inc", 42, title) == name
    assert is_valid_channel_name(name)


def test_long_titles_stay_within_80_characters_at_word_boundaries() -> None:
    title = "the payment processor returns intermittent gateway timeouts for card payments in europe and asia"
    name = war_room_name("inc", 12345, title)
    assert len(name) <= MAX_CHANNEL_NAME
    assert is_valid_channel_name(name)
    assert name.startswith("inc-12345-the-payment")
    assert not name.endswith("-")


def test_collisions_get_another_valid_name() -> None:
    title = "x" * 200
    names = {war_room_name("inc", 7, title, attempt=attempt) for attempt in range(5)}
    assert len(names) == 5
    assert all(is_valid_channel_name(n) and len(n) <= MAX_CHANNEL_NAME for n in names)
    assert war_room_name("inc", 7, "db down", attempt=2) == "inc-7-db-down-3"


def test_war_room_url_uses_the_workspace_when_known_else_slacks_redirect() -> None:
    assert war_room_url("C0ROOM", "https://acme.slack.com/") == "https://acme.slack.com/archives/C0ROOM"
    assert war_room_url("C0ROOM") == "https://slack.com/app_redirect?channel=C0ROOM"
    # Not an https address (a misconfigured or odd auth.test answer): the redirect still works.
    assert war_room_url("C0ROOM", "javascript:alert(1)") == "https://slack.com/app_redirect?channel=C0ROOM"
