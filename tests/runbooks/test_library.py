"""The runbook library: loading (never failing for one file), lookup and review dates."""

import logging
from datetime import date
from pathlib import Path

import pytest

from firebell.runbooks.library import RunbookLibrary
from firebell.runbooks.location import SHIPPED
from firebell.runbooks.model import Runbook
from firebell.runbooks.parse import load_runbook, parse_runbook
from tests.runbooks.conftest import GOOD, WriteRunbook


def test_a_malformed_runbook_is_skipped_with_an_error_naming_the_file(
    tmp_path: Path, write: WriteRunbook, caplog: pytest.LogCaptureFixture
) -> None:
    write("disk-full.md", GOOD)
    broken = write("broken.md", "---\ntitle: Broken\n---\n1. A step.\n")
    write("binary.md", "")
    (tmp_path / "binary.md").write_bytes(b"---\n\xff\xfe\n---\n")
    with caplog.at_level(logging.ERROR, logger="firebell.runbooks"):
        library = RunbookLibrary.load(tmp_path)
    assert [runbook.slug for runbook in library.all()] == ["disk-full"]
    messages = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert len(messages) == 2
    assert any(str(broken) in message and "missing required key 'services'" in message for message in messages)
    assert any("binary.md" in message and "not UTF-8" in message for message in messages)


def test_a_missing_directory_is_an_empty_library_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="firebell.runbooks"):
        library = RunbookLibrary.load(tmp_path / "missing")
    assert library.all() == []
    assert library.search("database down") == []
    assert any("does not exist" in record.getMessage() for record in caplog.records)


def test_get_by_slug() -> None:
    library = RunbookLibrary.load(SHIPPED)
    runbook = library.get("tls-certificate-expiry")
    assert runbook is not None and runbook.title == "TLS certificate expired or expiring"
    assert library.get("TLS-Certificate-Expiry.md") is runbook
    assert library.get("nope") is None


def test_past_review() -> None:
    old = parse_runbook(GOOD.replace("2099-01-01", "2026-01-01"), Path("old.md"))
    new = parse_runbook(GOOD.replace("Disk full", "Disk almost full"), Path("new.md"))
    undated = parse_runbook(GOOD.replace("review_by: 2099-01-01\n", ""), Path("undated.md"))
    library = RunbookLibrary([new, old, undated])
    assert library.past_review(date(2026, 6, 1)) == [old]
    assert library.past_review(date(2025, 6, 1)) == []


def test_search_limits_and_empty_queries() -> None:
    library = RunbookLibrary.load(SHIPPED)
    assert library.search("") == []
    assert library.search("the of and") == []  # only common words
    everything = "postgres 5xx certificate backlog stripe ddos"
    assert len(library.search(everything, limit=10, min_score=0)) == 6
    assert len(library.search(everything, limit=2, min_score=0)) == 2
    assert library.search("database", limit=0) == []


def test_an_unexpected_failure_on_one_file_does_not_stop_loading(
    tmp_path: Path, write: WriteRunbook, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    write("disk-full.md", GOOD)
    write("explodes.md", GOOD.replace("Disk full", "Disk on fire"))

    def load(path: Path) -> Runbook:
        if path.name == "explodes.md":
            raise RuntimeError("parser bug")
        return load_runbook(path)

    monkeypatch.setattr("firebell.runbooks.library.load_runbook", load)
    with caplog.at_level(logging.ERROR, logger="firebell.runbooks"):
        library = RunbookLibrary.load(tmp_path)
    assert [runbook.slug for runbook in library.all()] == ["disk-full"]
    assert any("explodes.md" in record.getMessage() for record in caplog.records)


def test_the_shipped_library_holds_the_six_runbooks_and_not_the_readme() -> None:
    assert [runbook.slug for runbook in RunbookLibrary.load(SHIPPED).all()] == [
        "database-primary-failover",
        "http-5xx-after-deploy",
        "message-queue-backlog",
        "third-party-dependency-outage",
        "tls-certificate-expiry",
        "traffic-flood-ddos",
    ]


def test_a_context_word_or_a_service_alone_never_makes_a_suggestion(write: WriteRunbook, tmp_path: Path) -> None:
    """`deploy` says when, `orders-db` says where; neither says what broke."""
    write(
        "disk-full.md",
        GOOD.replace("keywords: [DiskAlmostFull, disk full]", "keywords: [DiskAlmostFull, disk full, deploy]"),
    )
    library = RunbookLibrary.load(tmp_path)
    assert library.search("the deploy of the metrics pipeline", min_score=0) == []
    assert library.search("orders slow", min_score=0) == []  # `orders` only in services (orders-db)
    assert [m.runbook.slug for m in library.search("disk full after the deploy")] == ["disk-full"]
    explanation = library.explain("the deploy of the metrics pipeline")
    [ranked] = explanation.ranking
    assert ranked.matched["deploy"] == ("keywords",) and not ranked.candidate
    assert explanation.suggested == []


def test_alert_name_parts_alone_never_make_a_suggestion(write: WriteRunbook, tmp_path: Path) -> None:
    """`almost` is only a part of DiskAlmostFull: it ranks, but is no reason to suggest the runbook."""
    write("disk-full.md", GOOD)
    library = RunbookLibrary.load(tmp_path)
    assert library.search("almost missed the train", min_score=0) == []
    assert [m.runbook.slug for m in library.search("DiskAlmostFull")] == ["disk-full"]
