"""Slack mrkdwn: escaping user text, reading mentions and links, and cutting long text into chunks."""

import pytest

from firebell.slack.mrkdwn import escape_mrkdwn, mrkdwn_chunks, plain_from_slack, truncate, user_id_from_mention


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
