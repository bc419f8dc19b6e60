"""`paging.notifiers` in the policy file: a mistake names its key, what is expected and what was found."""

from typing import Any

import pytest

from firebell.config import policy_from_mapping, require_notifier_secrets
from firebell.domain.errors import PolicyError

HOOK = {"name": "hook", "kind": "webhook", "url": "https://hooks.example.com/x", "secret_env": "HOOK_SECRET"}
PD = {"name": "pd", "kind": "pagerduty", "routing_key_env": "PD_ROUTING_KEY"}
NTFY = {"name": "phone", "kind": "ntfy", "url": "https://ntfy.example.com/oncall-alice"}


def load(*notifiers: dict[str, Any]) -> Any:
    return policy_from_mapping({"paging": {"notifiers": list(notifiers)}}, source="firebell.yaml")


@pytest.mark.parametrize(
    ("notifier", "words"),
    [
        (
            HOOK | {"kind": "sms"},
            "paging.notifiers[0] (hook).kind: expected one of webhook, ntfy, pagerduty, got 'sms'",
        ),
        (HOOK | {"url": "ftp://hooks.example.com"}, "(hook).url: expected an http:// or https:// URL, got 'ftp://"),
        (HOOK | {"url": "https://"}, "(hook).url: expected an http:// or https:// URL, got 'https://'"),
        ({k: v for k, v in HOOK.items() if k != "secret_env"}, "(hook): secret_env: a webhook notifier needs it"),
        (HOOK | {"events": ["notify", "page"]}, "(hook).events[1]: expected one of notify, acknowledge, resolve, got"),
        (HOOK | {"users": ["U01ALICE"]}, "(hook): users: not a setting of a webhook notifier"),
        (HOOK | {"secret_env": "my secret"}, "(hook).secret_env: expected the name of an environment variable"),
        (HOOK | {"name": "Hook One"}, "name: expected 1-40 characters of lowercase letters"),
        (NTFY | {"url": "https://ntfy.example.com/"}, "(phone): url: expected an ntfy topic URL"),
        (NTFY | {"users": ["alice"]}, "(phone).users[0]: expected a Slack user id like U01ALICE, got 'alice'"),
        (NTFY | {"users": ["U01ALICE"], "events": ["resolve"]}, "(phone): events: a topic of chosen users hears"),
        ({"name": "pd", "kind": "pagerduty"}, "(pd): routing_key_env: a pagerduty notifier needs it"),
        (PD | {"severities": {"SEV9": "critical"}}, "(pd).severities: 'SEV9' is not one of ['SEV1'"),
        (PD | {"severities": {"SEV1": "page"}}, "(pd).severities.SEV1: expected one of critical, error, warning, info"),
        (PD | {"url": "events.pagerduty.com"}, "(pd).url: expected an http:// or https:// URL"),
        (PD | {"events": ["notify"]}, "(pd): events: not a setting of a pagerduty notifier"),
    ],
)
def test_a_notifier_mistake_names_its_key(notifier: dict[str, Any], words: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load(notifier)
    assert words in str(caught.value)


def test_notifier_names_are_unique() -> None:
    with pytest.raises(PolicyError, match=r"paging.notifiers: names must be unique, \['hook'\] repeat"):
        load(HOOK, HOOK)


def test_valid_notifiers_load_with_their_defaults() -> None:
    policy = load(HOOK, NTFY, PD | {"url": "http://127.0.0.1:9/v2/enqueue"})
    hook, phone, pd = policy.paging.notifiers
    assert [e.value for e in hook.wanted_events] == ["notify", "acknowledge", "resolve"]
    assert [e.value for e in phone.wanted_events] == ["notify"]
    assert pd.endpoint == "http://127.0.0.1:9/v2/enqueue"
    assert load(PD).paging.notifiers[0].endpoint == "https://events.pagerduty.com/v2/enqueue"


def test_a_secret_missing_from_the_environment_is_named_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = load(HOOK, PD, NTFY | {"token_env": "NTFY_TOKEN"})
    monkeypatch.setenv("HOOK_SECRET", "hunter2")
    monkeypatch.delenv("PD_ROUTING_KEY", raising=False)
    monkeypatch.setenv("NTFY_TOKEN", "   ")
    with pytest.raises(PolicyError) as caught:
        require_notifier_secrets(policy)
    message = str(caught.value)
    assert "paging.notifiers[1] (pd).routing_key_env: environment variable PD_ROUTING_KEY is not set" in message
    assert "paging.notifiers[2] (phone).token_env: environment variable NTFY_TOKEN is not set" in message
    assert "HOOK_SECRET" not in message and "hunter2" not in message
    monkeypatch.setenv("PD_ROUTING_KEY", "k")
    monkeypatch.setenv("NTFY_TOKEN", "tk")
    require_notifier_secrets(policy)  # all set: no error
