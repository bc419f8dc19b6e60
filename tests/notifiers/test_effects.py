"""notifier_effects: which notifiers hear which page event, in which lane, under which idempotency key."""

from typing import Any

from firebell.domain.paging import NotifyEvent
from firebell.domain.policy import Policy
from firebell.services.effects import EffectKind
from firebell.services.paging.notifier_effects import notifier_effects
from tests.notifiers.notices import AT, BOB, notice


def policy(*notifiers: dict[str, Any]) -> Policy:
    return Policy.model_validate({"paging": {"notifiers": list(notifiers)}})


HOOK = {"name": "hook", "kind": "webhook", "url": "https://hooks.example.com/x", "secret_env": "HOOK_SECRET"}
ALICE_PHONE = {"name": "alice-phone", "kind": "ntfy", "url": "https://ntfy.example.com/alice", "users": ["U01ALICE"]}
TEAM_TOPIC = {
    "name": "team",
    "kind": "ntfy",
    "url": "https://ntfy.example.com/team",
    "events": ["notify", "acknowledge", "resolve"],
}
PD = {"name": "pd", "kind": "pagerduty", "routing_key_env": "PD_ROUTING_KEY"}


def test_no_notifier_no_effect() -> None:
    assert notifier_effects(Policy(), notice(), now=AT) == []


def test_every_notifier_that_wants_the_event_gets_one_notify_effect_in_its_incident_lane() -> None:
    rows = notifier_effects(policy(HOOK, ALICE_PHONE, TEAM_TOPIC, PD), notice(), now=AT)
    assert [r["payload"]["notifier"] for r in rows] == ["hook", "alice-phone", "team", "pd"]
    assert {r["kind"] for r in rows} == {EffectKind.NOTIFY.value}
    assert [r["lane"] for r in rows] == [
        "notify:hook:firebell-incident-7",
        "notify:alice-phone:firebell-incident-7",
        "notify:team:firebell-incident-7",
        "notify:pd:firebell-incident-7",
    ]
    assert all(r["incident_id"] == 7 and r["needs"] is None and r["urgency"] == 0 for r in rows)
    assert all(r["payload"]["page_notice"]["user"] == "U01ALICE" for r in rows)


def test_a_persons_topic_hears_only_their_own_pages() -> None:
    both = policy(ALICE_PHONE, TEAM_TOPIC)
    assert [r["payload"]["notifier"] for r in notifier_effects(both, notice(user=BOB), now=AT)] == ["team"]
    ack = notice(NotifyEvent.ACKNOWLEDGE)
    assert [r["payload"]["notifier"] for r in notifier_effects(both, ack, now=AT)] == ["team"]


def test_ntfy_hears_only_pages_unless_asked_and_a_webhook_can_choose_its_events() -> None:
    plain_ntfy = {"name": "plain", "kind": "ntfy", "url": "https://ntfy.example.com/t"}
    only_resolve = HOOK | {"events": ["resolve"]}
    rules = policy(plain_ntfy, only_resolve)
    assert [r["payload"]["notifier"] for r in notifier_effects(rules, notice(), now=AT)] == ["plain"]
    resolve = notice(NotifyEvent.RESOLVE, user=None)
    assert [r["payload"]["notifier"] for r in notifier_effects(rules, resolve, now=AT)] == ["hook"]


def test_keys_differ_per_event_person_round_and_step_and_pagerduty_triggers_once_per_page() -> None:
    rules = policy(HOOK, PD)
    notices = [notice(), notice(user=BOB), notice(step=1), notice(round=1), notice(NotifyEvent.ACKNOWLEDGE)]
    hook_keys = [notifier_effects(rules, n, now=AT)[0]["idem_key"] for n in notices]
    assert len(set(hook_keys)) == len(notices)
    assert notifier_effects(rules, notice(), now=AT)[0]["idem_key"] == hook_keys[0]  # the same event: the same key
    pd_keys = {notifier_effects(rules, n, now=AT)[1]["idem_key"] for n in notices[:4]}
    assert pd_keys == {"notify:pd:trigger:3"}
    assert notifier_effects(rules, notice(page_id=4), now=AT)[1]["idem_key"] == "notify:pd:trigger:4"


def test_keys_and_lanes_fit_their_columns_at_their_longest() -> None:
    name = "n" * 40
    rules = policy(HOOK | {"name": name})
    [row] = notifier_effects(
        rules,
        notice(
            page_id=10**12,
            incident_id=10**10,
            incident_key="firebell-incident-" + "9" * 10,
            user="U" + "A" * 20,
            round=999,
            step=999,
        ),
        now=AT,
    )
    assert len(row["lane"]) <= 80
    assert len(row["idem_key"]) <= 160
