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
            log.warning("on-call: Slack has no user with the e-mail %s; it is answered as written", email)
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
