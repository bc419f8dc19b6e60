"""Members written as e-mails: resolved to Slack user ids once, with users.lookupByEmail, and answered by id."""

from sqlalchemy import Engine, select

from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.store.models import OncallEmail
from tests.clock import Clock
from tests.harness import Firebell, running_firebell

WEEK_TWO = "2026-01-19T12:00:00Z"  # carol@example.com's week in the example


def lookups(emu: SlackEmulator) -> int:
    return len(emu.calls_to("users.lookupByEmail"))


def warmed_up(firebell: Firebell) -> None:
    """Wait for the start's background work (the bot's identity, then the e-mail lookups) to finish."""
    warmup = firebell.runtime._warmup
    assert warmup is not None
    warmup.join(10)
    assert not warmup.is_alive()


def test_an_e_mail_member_is_answered_by_user_id_and_looked_up_once(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, policy: Policy, clock: Clock
) -> None:
    carol = emu.add_user("ckarlsson", email="Carol@Example.com")
    with running_firebell(emu, slack, database_url, policy, clock=clock) as firebell:

        def answered() -> list[str] | None:
            users: list[str] = firebell.api("/api/v1/schedules/checkout-primary/oncall", at=WEEK_TWO).json()["users"]
            return users if users != ["carol@example.com"] else None

        assert firebell.wait_for(answered, what="carol's e-mail resolved") == [carol]
        shifts = firebell.api(
            "/api/v1/schedules/checkout-primary/shifts", **{"from": WEEK_TWO, "to": "2026-01-19T13:00:00Z"}
        ).json()
        assert [s["users"] for s in shifts] == [[carol]]
    assert lookups(emu) == 1
    with running_firebell(emu, slack, database_url, policy, clock=clock) as again:
        assert again.api("/api/v1/schedules/checkout-primary/oncall", at=WEEK_TWO).json()["users"] == [carol]
        warmed_up(again)
    assert lookups(emu) == 1  # cached: not asked again
    with clean_db.connect() as conn:
        assert conn.execute(select(OncallEmail.email, OncallEmail.user_id)).all() == [("carol@example.com", carol)]


def test_an_e_mail_slack_does_not_know_is_answered_as_written(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, policy: Policy, clock: Clock
) -> None:
    with running_firebell(emu, slack, database_url, policy, clock=clock) as firebell:
        warmed_up(firebell)
        assert lookups(emu) == 1
        body = firebell.api("/api/v1/schedules/checkout-primary/oncall", at=WEEK_TWO).json()
        assert body["users"] == ["carol@example.com"]
    with clean_db.connect() as conn:
        assert conn.execute(select(OncallEmail.email, OncallEmail.user_id)).all() == [("carol@example.com", None)]
