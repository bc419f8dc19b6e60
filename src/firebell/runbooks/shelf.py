"""The runbooks a running Firebell uses, reloaded from the directory now and then (they are files in git)."""

import logging
import threading
from pathlib import Path

from firebell.runbooks.library import RunbookLibrary

log = logging.getLogger(__name__)


class Shelf:
    """Holds the current RunbookLibrary; `reload()` swaps in a fresh one (a bad file is skipped, logged)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._library = RunbookLibrary.load(directory)

    @property
    def library(self) -> RunbookLibrary:
        """The runbooks as last loaded."""
        with self._lock:
            return self._library

    def reload(self) -> int:
        """Read the directory again; returns how many runbooks loaded."""
        fresh = RunbookLibrary.load(self.directory)
        with self._lock:
            self._library = fresh
        return len(fresh.all())
