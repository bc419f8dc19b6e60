"""The steps of a runbook: every top-level numbered (`1.`) or checkbox (`- [ ]`) item of its Markdown body.

A small line-based reader for the part of Markdown runbooks use. A step runs from its item line through the
lines indented under it (two spaces or more), blank lines included, and ends at the next item, a heading or
unindented text. Fenced code blocks in a step are its commands (a fence right after a step, even unindented,
belongs to it, which is what authors mean); links `[label](url)` and `<https://...>` are its links. Headings
(`## Mitigate`) name the section of the steps below them. Plain bullets and paragraphs are context, not steps.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from firebell.runbooks.errors import Problem
from firebell.runbooks.model import Link, Step

_ORDERED = re.compile(r"^ {0,3}\d{1,9}[.)](?:[ \t]+(?P<text>.*))?$")
_CHECKBOX = re.compile(r"^ {0,3}[-*+][ \t]+\[[ xX]\](?:[ \t]+(?P<text>.*))?$")
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
# Lines that start a new block, so they cannot continue a step's paragraph lazily.
_BLOCK_START = re.compile(r"^ {0,3}(?:[-*+][ \t]|\d{1,9}[.)](?:[ \t]|$)|[>|#]|(?:[-*_][ \t]*){3,}$)")
_LINK = re.compile(r"(?<!!)\[(?P<label>[^\]]+)\]\(\s*<?(?P<url>[^\s()<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<(?P<url>https?://[^\s<>]+)>")
_CODE_SPAN = re.compile(r"`[^`\n]*`")


@dataclass
class _Fence:
    char: str
    length: int
    indent: int
    line: int
    content: list[str] = field(default_factory=list)


@dataclass
class _Draft:
    line: int
    first: str
    section: str | None
    rest: list[str] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _dedent(line: str, amount: int) -> str:
    return line[min(amount, _indent(line)) :]


def _item_text(line: str) -> str | None:
    match = _ORDERED.match(line) or _CHECKBOX.match(line)
    if match is None:
        return None
    return (match.group("text") or "").strip()


def _fence(line: str) -> re.Match[str] | None:
    """The opening of a code fence (a backtick fence's info string cannot contain backticks)."""
    match = _FENCE.match(line)
    if match is None or (match.group("fence")[0] == "`" and "`" in match.group("info")):
        return None
    return match


def _closes(fence: _Fence, line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= fence.length and stripped == fence.char * len(stripped)


def _links(prose: Sequence[str]) -> list[Link]:
    text = _CODE_SPAN.sub("", "\n".join(prose))
    found = [(m.start(), Link(label=m.group("label").strip(), url=m.group("url"))) for m in _LINK.finditer(text)]
    found += [(m.start(), Link(label=m.group("url"), url=m.group("url"))) for m in _AUTOLINK.finditer(text)]
    return [link for _, link in sorted(found, key=lambda pair: pair[0])]


def _finish(draft: _Draft, number: int, problems: list[Problem]) -> Step | None:
    nested = [_indent(line) for line in draft.rest if line.strip() and _indent(line) >= 2]
    amount = min(nested, default=0)
    lines = [draft.first, *(_dedent(line, amount) for line in draft.rest)]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        problems.append(Problem(draft.line, f"step {number} is empty: write what to do after the number or checkbox"))
        return None
    return Step(
        number=number,
        text="\n".join(lines),
        commands=draft.commands,
        links=_links([draft.first, *draft.prose]),
        line=draft.line,
        section=draft.section,
    )


class _Reader:
    """Reads body lines one at a time, keeping the open step, the open code fence and the current heading."""

    def __init__(self) -> None:
        self.drafts: list[_Draft] = []
        self.current: _Draft | None = None
        self.fence: _Fence | None = None
        self.fence_owner: _Draft | None = None
        self.section: str | None = None
        self.in_paragraph = False

    def feed(self, number: int, line: str) -> None:
        if self.fence is not None:
            self._in_fence(line)
        elif not line.strip():
            if self.current is not None:
                self.current.rest.append("")
            self.in_paragraph = False
        elif self.current is not None and _indent(line) >= 2:
            self._continue(number, line)
        elif (text := _item_text(line)) is not None:
            self.current = _Draft(line=number, first=text, section=self.section)
            self.drafts.append(self.current)
            self.in_paragraph = bool(text)
        elif _fence(line):
            self._open_fence(number, line, owner=self.current)
        elif heading := _HEADING.match(line):
            self.current = None
            self.section = (heading.group("text") or "").strip() or None
        elif self.current is not None and self.in_paragraph and not _BLOCK_START.match(line):
            self.current.rest.append(line)  # a lazy continuation of the step's paragraph
            self.current.prose.append(line)
        else:
            self.current = None  # unindented text after a step is context, not part of the step
            self.in_paragraph = False

    def _continue(self, number: int, line: str) -> None:
        assert self.current is not None
        if _fence(line):
            self._open_fence(number, line, owner=self.current)
            return
        self.current.rest.append(line)
        self.current.prose.append(line)
        self.in_paragraph = True

    def _open_fence(self, number: int, line: str, owner: _Draft | None) -> None:
        match = _fence(line)
        assert match is not None
        fence = match.group("fence")
        self.fence = _Fence(char=fence[0], length=len(fence), indent=len(match.group("indent")), line=number)
        self.fence_owner = owner
        if owner is not None:
            owner.rest.append(line)
        self.in_paragraph = False

    def _in_fence(self, line: str) -> None:
        assert self.fence is not None
        if self.fence_owner is not None:
            self.fence_owner.rest.append(line)
        if not _closes(self.fence, line):
            self.fence.content.append(_dedent(line, self.fence.indent))
            return
        command = "\n".join(self.fence.content).strip("\n")
        if self.fence_owner is not None and command.strip():
            self.fence_owner.commands.append(command)
        self.fence = None
        self.fence_owner = None


def parse_steps(lines: Sequence[str], first_line: int) -> tuple[list[Step], list[Problem]]:
    """The steps in a runbook's body lines; `first_line` is the file line of `lines[0]`."""
    reader = _Reader()
    for offset, raw in enumerate(lines):
        reader.feed(first_line + offset, raw.expandtabs(4).rstrip())
    problems: list[Problem] = []
    if reader.fence is not None:
        problems.append(
            Problem(
                reader.fence.line,
                f"code block opened here is never closed; close it with a line of {reader.fence.char * 3}",
            )
        )
    steps: list[Step] = []
    for draft in reader.drafts:
        step = _finish(draft, len(steps) + 1, problems)
        if step is not None:
            steps.append(step)
    return steps, problems


def without_code_blocks(markdown: str) -> str:
    """Markdown with its fenced code blocks removed: the prose around the commands."""
    kept: list[str] = []
    fence: _Fence | None = None
    for line in markdown.split("\n"):
        if fence is not None:
            if _closes(fence, line):
                fence = None
        elif match := _fence(line.expandtabs(4)):
            fence = _Fence(char=match.group("fence")[0], length=len(match.group("fence")), indent=0, line=0)
        else:
            kept.append(line)
    return "\n".join(kept)
