"""The `/oncall` command language."""

import pytest

from firebell.domain.errors import UsageError
from firebell.slack.oncall_grammar import (
    AddOverride,
    AddTemporary,
    Board,
    Cover,
    EndMaintenance,
    ListOverrides,
    ListTemporaries,
    Mine,
    OncallHelp,
    RemoveOverride,
    RemoveTemporary,
    ShowMaintenance,
    ShowSchedule,
    StartMaintenance,
    parse_oncall,
)

BOB, ERIN = "<@U0BOB00000|bob>", "<@U0ERIN0000|erin>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Board()),
        ("  ", Board()),
        ("help", OncallHelp()),
        ("ME", Mine()),
        ("checkout-primary", ShowSchedule("checkout-primary")),
        ("show me", ShowSchedule("me")),
        ("show maintenance", ShowSchedule("maintenance")),
        (f"override search {BOB} now 4h", AddOverride("search", "U0BOB00000", "now", "4h")),
        (
            f"override search {BOB} from 2026-01-07 09:00 to 2026-01-07 12:00",
            AddOverride("search", "U0BOB00000", "2026-01-07 09:00", "2026-01-07 12:00"),
        ),
        ("cover search", Cover("search", None)),
        ("cover search for 4h", Cover("search", "4h")),
        ("cover search 2d", Cover("search", "2d")),
        ("overrides search", ListOverrides("search")),
        ("remove search 12", RemoveOverride("search", 12)),
        ("remove search #12", RemoveOverride("search", 12)),
        (
            f"temporary search 2026-12-24 2026-12-27 {BOB} {ERIN}",
            AddTemporary("search", "2026-12-24", "2026-12-27", ("U0BOB00000", "U0ERIN0000"), None),
        ),
        (
            f"temporary search 2026-12-24 09:00 3d {BOB} {ERIN} every 1d",
            AddTemporary("search", "2026-12-24 09:00", "3d", ("U0BOB00000", "U0ERIN0000"), "1d"),
        ),
        ("temporaries search", ListTemporaries("search")),
        ("temporary search remove 3", RemoveTemporary("search", 3)),
        ("maintenance", ShowMaintenance(None)),
        ("maintenance checkout", ShowMaintenance("checkout")),
        ("maintenance checkout 2h", StartMaintenance("checkout", "now", "2h")),
        ("maintenance checkout for 2h", StartMaintenance("checkout", "now", "2h")),
        ("maintenance checkout 22:00 02:00", StartMaintenance("checkout", "22:00", "02:00")),
        ("maintenance checkout end", EndMaintenance("checkout")),
    ],
)
def test_commands(text: str, expected: object) -> None:
    assert parse_oncall(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("override", "`override` needs a schedule name"),
        (f"override {BOB} search now 2h", "Name the schedule first"),
        ("override search", "`override` needs who and when"),
        (f"override search {BOB} now 2h extra", "Unexpected `extra`"),
        ("remove search", "needs the override id"),
        ("remove search 1 2", "needs the override id"),
        ("overrides search more", "takes only a schedule name"),
        ("cover search for a while", "takes an optional length"),
        ("temporary search 2026-12-24 2026-12-27", "Say who is on call"),
        ("maintenance checkout 2h 3h 4h", "Unexpected `4h`"),
        ("schedule checkout", "is not an /oncall subcommand"),
    ],
)
def test_mistakes_say_what_is_wrong_and_the_valid_form(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        parse_oncall(text)
