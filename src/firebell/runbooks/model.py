"""What a runbook is once read: its front matter and its numbered steps."""

import re
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from firebell.slack.mrkdwn import escape_mrkdwn

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_SUBTEAM_ID = re.compile(r"^S[A-Z0-9]{2,}$")
_HANDLE = re.compile(r"^@[\w.-]+$")
_PASTED_MENTION = re.compile(r"^<(?:@|!subteam\^)([A-Z0-9]+)(?:\|[^>]*)?>$")  # <@U123|ann>, <!subteam^S123>


def _owner_id(owner: str) -> str:
    """The owner as written, or the id inside a mention pasted from Slack."""
    owner = owner.strip()
    pasted = _PASTED_MENTION.match(owner)
    return pasted.group(1) if pasted else owner


class Link(BaseModel):
    """A Markdown link `[label](url)` found in a step."""

    model_config = ConfigDict(frozen=True)

    label: str
    url: str


class Step(BaseModel):
    """One step of a runbook: Markdown whose first line is its title, plus the commands and links inside it."""

    model_config = ConfigDict(frozen=True)

    number: int = Field(ge=1)
    text: str = Field(min_length=1)
    commands: list[str] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    line: int = Field(default=1, ge=1, description="Line of the file where the step starts.")
    section: str | None = Field(default=None, description="The heading the step sits under, if any.")

    @property
    def title(self) -> str:
        """The step's first line: what to do, in a few words."""
        return self.text.split("\n", 1)[0].strip()

    @property
    def detail(self) -> str:
        """Everything after the first line (explanation, commands, decision points); may be empty."""
        return self.text.partition("\n")[2].strip("\n")


class Runbook(BaseModel):
    """A runbook read from `runbooks/<slug>.md`."""

    model_config = ConfigDict(frozen=True)

    path: Path
    title: str
    services: list[str]
    keywords: list[str]
    owner: str
    severity: str | None = None
    review_by: date | None = None
    steps: list[Step]
    body: str
    field_lines: dict[str, int] = Field(
        default_factory=dict, description="Line of each front-matter key, for messages about it."
    )

    @property
    def slug(self) -> str:
        """The runbook's short name: its file name without `.md`."""
        return self.path.stem

    def owner_mention(self) -> str:
        """The owner as Slack mrkdwn: a live mention for a user or user-group id, else the escaped handle."""
        owner = _owner_id(self.owner)
        if _USER_ID.match(owner):
            return f"<@{owner}>"
        if _SUBTEAM_ID.match(owner):
            return f"<!subteam^{owner}>"
        return escape_mrkdwn(owner)

    def owner_is_recognised(self) -> bool:
        """Whether the owner is a Slack user id, a user-group id or an @handle (anything else is shown as text)."""
        owner = _owner_id(self.owner)
        return bool(_USER_ID.match(owner) or _SUBTEAM_ID.match(owner) or _HANDLE.match(owner))

    def review_overdue(self, today: date) -> bool:
        """Whether the runbook's review date has passed."""
        return self.review_by is not None and self.review_by < today
