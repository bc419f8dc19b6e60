"""Block Kit for runbooks: the chooser, the checklist with a Done button per step, kick-off suggestions."""

import re
from typing import Any

from firebell.runbooks.check import CHECKLIST_STEPS
from firebell.runbooks.library import Match
from firebell.runbooks.model import Runbook
from firebell.services.runbooks import Checklist, ChecklistStep
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.kit import (
    Block,
    actions,
    button,
    context,
    date_token,
    header,
    list_sections,
    mention,
    section,
)
from firebell.slack.mrkdwn import escape_mrkdwn, truncate


class RunbookAction:
    """action_ids of runbook buttons."""

    POST = "runbook.post"  # value: slug
    STEP_DONE = "runbook.step_done"  # suffixed with the step number; value "<run id>:<step>"


# Slack caps the text of all blocks in a message (about 12,000 characters); leave room for the rest.
CHECKLIST_TEXT_BUDGET = 10_000
MAX_STEPS = CHECKLIST_STEPS
SECTION_LIMIT = 2_900
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_GROUP_MENTION = re.compile(r"^<!subteam\^S[A-Z0-9]+>$")
_FENCE = re.compile(r"```[a-zA-Z0-9_+-]*\n?(.*?)```", re.DOTALL)


def markdown_to_mrkdwn(text: str) -> str:
    """Runbook Markdown as Slack mrkdwn: code blocks kept verbatim (escaped, never linked), Markdown links
    and bold converted, everything else escaped, bare addresses linked."""
    kept: list[str] = []

    def keep(piece: str) -> str:
        kept.append(piece)
        return f"\x00{len(kept) - 1}\x00"

    out = _FENCE.sub(lambda m: keep("```" + _escape_plain(m.group(1).strip("\n")) + "```"), text)
    out = _LINK.sub(lambda m: keep(f"<{m.group(2)}|{_escape_plain(m.group(1))}>"), out)
    out = _BOLD.sub(lambda m: f"*{m.group(1)}*", escape_mrkdwn(out))
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], out)


def _escape_plain(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def owner_text(owner: str | None) -> str:
    """A runbook owner as the checklist shows it: a live mention for a user or user group id."""
    return owner if owner else "no owner"


def _step_text(step: ChecklistStep, budget: int, slug: str) -> str:
    """A step in at most `budget` characters; a long one is cut at a line, with a pointer to the file."""
    title = escape_mrkdwn(step.title)
    if step.done_by:
        when = date_token(step.done_at, fmt="{time}") if step.done_at else ""
        return f":white_check_mark: *{step.number}.* ~{title}~\n_done by {mention(step.done_by)} {when}_"
    head = f"*{step.number}. {title}*"
    lines = step.detail.splitlines()
    for keep in range(len(lines), -1, -1):
        shown = "\n".join(lines[:keep])
        if shown.count("```") % 2:  # cut inside a code block: close it
            shown += "\n```"
        text = head + ("\n" + markdown_to_mrkdwn(shown) if shown else "")
        if keep < len(lines):
            text += f"\n_… the rest of this step is in `{slug}.md`_"
        if len(text) <= budget:
            return text
    return truncate(head, budget)


def _budgets(run: Checklist, steps: list[ChecklistStep]) -> list[int]:
    """Share the message's text budget: short steps take what they need, the rest is split among long ones."""
    wants = [len(_step_text(step, SECTION_LIMIT, run.slug)) for step in steps]
    budgets = [0] * len(steps)
    left, open_steps = CHECKLIST_TEXT_BUDGET, list(range(len(steps)))
    while open_steps:
        share = left // len(open_steps)
        fitting = [i for i in open_steps if wants[i] <= share]
        if not fitting:
            for i in open_steps:
                budgets[i] = max(min(share, SECTION_LIMIT), 120)
            break
        for i in fitting:
            budgets[i] = wants[i]
            left -= wants[i]
        open_steps = [i for i in open_steps if i not in fitting]
    return budgets


def checklist_message(run: Checklist) -> Message:
    """The runbook as a checklist: one section per step with a Done button until someone does it."""
    steps = run.steps[:MAX_STEPS]
    done = sum(1 for s in run.steps if s.done_by)
    blocks: list[Block] = [
        header(f"Runbook: {run.title}"),
        context(
            f"Owner: {owner_text(run.owner)} · posted by {mention(run.posted_by)} · {done}/{len(run.steps)} steps done. "
            "Press Done as you finish a step: it goes on the timeline."
        ),
    ]
    for step, budget in zip(steps, _budgets(run, steps), strict=True):
        block = section(_step_text(step, budget, run.slug))
        if not step.done_by:
            block["accessory"] = button(
                "Done", f"{RunbookAction.STEP_DONE}.{step.number}", value=f"{run.run_id}:{step.number}"
            )
        blocks.append(block)
    if len(run.steps) > len(steps):
        blocks.append(context(f"{len(run.steps) - len(steps)} more steps in `{run.slug}.md`."))
    return Message(text=f"Runbook: {escape_mrkdwn(run.title)} ({done}/{len(run.steps)} steps done)", blocks=blocks)


def chooser_message(matches: list[Match], *, query: str, everything: list[Runbook]) -> Message:
    """The caller's choice of runbooks to post: the matches, or every runbook when nothing matched."""
    shown = [m.runbook for m in matches] or everything[:10]
    if not shown:
        text = "There are no runbooks yet. Add Markdown runbooks to the runbooks directory (see runbooks/README.md)."
        return Message(text=text, blocks=[section(text)])
    lead = (
        f"Runbooks matching _{escape_mrkdwn(truncate(query, 100))}_:"
        if matches
        else f"No runbook matches _{escape_mrkdwn(truncate(query, 100))}_ well. All runbooks:"
    )
    blocks: list[Block] = [section(lead)]
    for runbook in shown:
        block = section(
            f"*{escape_mrkdwn(runbook.title)}*\n{escape_mrkdwn(', '.join(runbook.services))} · "
            f"{len(runbook.steps)} steps · owner {escape_mrkdwn(runbook.owner)}"
        )
        block["accessory"] = button("Post checklist", RunbookAction.POST, value=runbook.slug)
        blocks.append(block)
    return Message(text=lead, blocks=blocks)


def suggestion_blocks(matches: list[Match]) -> list[Block]:
    """The kick-off's suggested runbooks (nothing at all when nothing matches well)."""
    if not matches:
        return []
    lines = "\n".join(f"• {escape_mrkdwn(m.runbook.title)}" for m in matches)
    return [
        section(f"*Suggested runbooks*\n{lines}", block_id="kickoff.runbooks"),
        actions(
            *(
                button(truncate(f"Post: {m.runbook.title}", 75), RunbookAction.POST + f".{i}", value=m.runbook.slug)
                for i, m in enumerate(matches)
            ),
            block_id="kickoff.runbook_actions",
        ),
    ]


def review_message(payload: dict[str, Any]) -> Message:
    """The weekly reminder about runbooks past their review date."""
    owner = payload.get("user")
    team = str(payload.get("owner"))
    who = mention(owner) if owner else team if _GROUP_MENTION.match(team) else escape_mrkdwn(team)
    lines = [
        f"• *{escape_mrkdwn(truncate(str(r['title']), 150))}* (`{escape_mrkdwn(truncate(str(r['file']), 150))}`), "
        f"review by {r['review_by']}"
        for r in payload["runbooks"]
    ]
    intro = f":books: {who}: these runbooks are past their review date. Check they still work, then update `review_by`:"
    return Message(text="Runbooks due for review", blocks=list_sections(intro, lines, what="runbooks"))
