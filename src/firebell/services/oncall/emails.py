"""Members written as e-mails in the policy, resolved to Slack user ids once (users.lookupByEmail) and cached in the
store, so answers name people by user id. An e-mail Slack does not know stays as written (logged), and is asked
about again at the next start; one Slack cannot be asked about now (unreachable) waits for the next start too."""

import logging
from collections.abc import Callable, Iterable

from sqlalchemy import select

from firebell.domain.policy import Policy
from firebell.services.context import Context
from firebell.store.models import OncallEmail

log = logging.getLogger(__name__)

# An e-mail to its user id, None when Slack has no such user; raises when Slack cannot answer now.
Lookup = Callable[[str], str | None]


def policy_emails(policy: Policy) -> set[str]:
    """Every member written as an e-mail, lowercased."""
    return {m.lower() for s in policy.schedules for layer in s.layers for m in layer.members if "@" in m}


def where_written(policy: Policy) -> dict[str, list[str]]:
    """Every member written as an e-mail (lowercased), with the policy keys that name it."""
    found: dict[str, list[str]] = {}
    for schedule in policy.schedules:
        for index, layer in enumerate(schedule.layers):
            for member in layer.members:
                if "@" in member:
                    found.setdefault(member.lower(), []).append(f"schedules ({schedule.name}).layers[{index}].members")
    return found


def unknown_emails(policy: Policy, lookup: Lookup) -> list[str]:
    """Ask Slack about every e-mail member of the policy now; one line per e-mail Slack has no user for, naming where
    it is written. Raises (as `lookup` does) when Slack cannot answer."""
    problems = []
    for email, keys in sorted(where_written(policy).items()):
        if lookup(email) is None:
            problems.append(f"{', '.join(keys)}: Slack has no user with the e-mail {email} (users.lookupByEmail)")
    return problems


def resolve_emails(ctx: Context, lookup: Lookup) -> None:
    """Ask Slack about every e-mail of the policy not resolved yet, and store the answers."""
    wanted = policy_emails(ctx.policy)
    if not wanted:
        return
    with ctx.db.read() as session:
        query = select(OncallEmail.email).where(OncallEmail.email.in_(wanted), OncallEmail.user_id.is_not(None))
        known = set(session.scalars(query))
    for email in sorted(wanted - known):
        try:
            user_id = lookup(email)
        except Exception as exc:
            log.warning("on-call: could not look up a member's e-mail in Slack (%s); retried at the next start", exc)
            continue
        if user_id is None:
            keys = ", ".join(where_written(ctx.policy).get(email, []))
            log.error(
                "on-call: %s: Slack has no user with the e-mail %s; nobody is paged for it (fix the policy file; "
                "`firebell policy check --slack` checks every e-mail)",
                keys,
                email,
            )
        with ctx.db.transaction(background=True) as session:
            row = session.get(OncallEmail, email)
            if row is None:
                session.add(OncallEmail(email=email, user_id=user_id, checked_at=ctx.clock()))
            else:
                row.user_id, row.checked_at = user_id, ctx.clock()


def as_user_ids(ctx: Context, people: Iterable[str]) -> dict[str, str]:
    """For those of `people` written as e-mails and resolved: e-mail (as written) to Slack user id."""
    emails = {p.lower(): p for p in people if "@" in p}
    if not emails:
        return {}
    with ctx.db.read() as session:
        query = select(OncallEmail).where(OncallEmail.email.in_(emails), OncallEmail.user_id.is_not(None))
        rows = list(session.scalars(query))
    return {emails[r.email]: r.user_id for r in rows if r.user_id is not None}
