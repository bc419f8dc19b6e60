import pytest

from firebell.domain.naming import MAX_CHANNEL_NAME, is_valid_channel_name, war_room_name
from firebell.slack.mrkdwn import escape_mrkdwn, mrkdwn_chunks, plain_from_slack, truncate, user_id_from_mention


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


def test_escape_neutralises_mentions_and_broadcasts() -> None:
    assert escape_mrkdwn("<!channel> & <@U123> > x") == "&lt;!channel&gt; &amp; &lt;@U123&gt; &gt; x"


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("<@U1ABC|alice> look", "@alice look"),
        ("<@U1ABC> look", "@U1ABC look"),
        ("<#C1|general>", "#general"),
        ("<!here> now", "@here now"),
        ("<!subteam^S1|@oncall>", "@oncall"),
        ("<https://status.example.com>", "https://status.example.com"),
        ("<https://x.io|dashboard>", "dashboard (https://x.io)"),
        ("a &lt;b&gt; &amp; c", "a <b> & c"),
    ],
)
def test_plain_from_slack(raw: str, plain: str) -> None:
    assert plain_from_slack(raw) == plain


def test_user_id_from_mention() -> None:
    assert user_id_from_mention("<@U0ALICE00|alice>") == "U0ALICE00"
    assert user_id_from_mention("<!channel>") is None
    assert user_id_from_mention("@alice") is None


def test_truncate() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"


def test_addresses_become_explicit_links() -> None:
    assert escape_mrkdwn("see https://status.example.com/a?b=1&c=2.") == (
        "see <https://status.example.com/a?b=1&amp;c=2>."
    )


def test_long_text_is_chunked_between_words_without_losing_anything() -> None:
    text = ("error & retry <x> " * 400).strip()
    chunks = mrkdwn_chunks(text, 3000)
    assert len(chunks) > 1
    assert all(len(c) <= 3000 for c in chunks)
    assert " ".join(chunks) == escape_mrkdwn(text)
    assert all(not c.endswith("&") and not c.startswith("amp;") for c in chunks)


def test_a_huge_word_is_cut_by_characters() -> None:
    chunks = mrkdwn_chunks("&" * 1000, 300)
    assert all(len(c) <= 300 for c in chunks)
    assert "".join(chunks) == "&amp;" * 1000
