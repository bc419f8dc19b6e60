"""The playground's input line: what the background prints goes above it, and the line being typed stays.

With plain `input()` a reminder printed by the watcher thread lands in the middle of what the person is
typing. While a line is being read, the transcript first clears the prompt line, prints, and then draws
the prompt and the partial line again (readline's buffer, when readline is there), so typing goes on
where it was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

CLEAR_LINE = "\r\x1b[K"  # to the start of the line, then erase it


def readline_buffer() -> str:
    """What has been typed so far at an `input()` prompt ("" without readline)."""
    try:
        import readline
    except ImportError:  # not on every platform
        return ""
    return readline.get_line_buffer()


class PromptLine:
    """The prompt and partial line of an `input()` in progress, set aside while something else prints."""

    def __init__(self, file: IO[str], prompt: Callable[[], str], typed: Callable[[], str] | None = None) -> None:
        self.file = file
        self.prompt = prompt
        self.typed = typed
        self._reading = threading.Event()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """While the `input()` inside runs, prints go above the prompt."""
        self._reading.set()
        try:
            yield
        finally:
            self._reading.clear()

    @contextmanager
    def set_aside(self) -> Iterator[None]:
        """Clear the prompt line for what is printed inside, then draw the prompt and partial line again."""
        if not self._reading.is_set():
            yield
            return
        self.file.write(CLEAR_LINE)
        self.file.flush()
        try:
            yield
        finally:
            self.file.write(self.prompt() + (self.typed or readline_buffer)())
            self.file.flush()
