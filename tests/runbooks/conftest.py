"""Helpers for runbook tests: write runbook files."""

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

GOOD = """\
---
title: Disk full on a database host
services: [orders-db]
keywords: [DiskAlmostFull, disk full]
owner: U0123ABCD
severity: SEV2
review_by: 2099-01-01
---

1. Find what fills the disk.
   ```bash
   du -xh /var/lib/postgresql | sort -h | tail
   ```
2. Remove old WAL archives.
"""

WriteRunbook = Callable[[str, str], Path]


@pytest.fixture
def write(tmp_path: Path) -> WriteRunbook:
    """Write a runbook file into tmp_path (text is dedented) and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(dedent(text), encoding="utf-8")
        return path

    return _write
