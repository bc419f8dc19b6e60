"""`firebell runbooks check|list` through click, as a user runs them."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from firebell.runbooks.cli import runbooks
from firebell.runbooks.location import SHIPPED
from tests.runbooks.conftest import GOOD, WriteRunbook


@pytest.fixture(autouse=True)
def no_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty directory without FIREBELL_CONFIG, so the built-in policy applies."""
    monkeypatch.delenv("FIREBELL_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def test_check_shipped_runbooks_passes() -> None:
    result = CliRunner().invoke(runbooks, ["check", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    assert f"Checked 6 runbooks in {SHIPPED}:" in result.output
    assert "error" not in result.output


def test_check_prints_errors_and_exits_1(tmp_path: Path, write: WriteRunbook) -> None:
    write("disk-full.md", GOOD)
    write(
        "broken.md", "---\ntitle: Broken\nservices: [api]\nkeywords: [x]\nowner: U1ABC\nreview_by: soon\n---\n1. Step\n"
    )
    result = CliRunner().invoke(runbooks, ["check", "."])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "broken.md:6: error: review_by: expected a date as YYYY-MM-DD, like 2027-03-31, got 'soon'",
        "Checked 2 runbooks in .: 1 error, 0 warnings.",
    ]


def test_check_with_only_warnings_exits_0(write: WriteRunbook) -> None:
    write("disk-full.md", GOOD.replace("2099-01-01", "2020-01-01"))
    result = CliRunner().invoke(runbooks, ["check", "."])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "disk-full.md:7: warning: review_by 2020-01-01 has passed; review this runbook",
        "Checked 1 runbook in .: 0 errors, 1 warning.",
    ]


def test_check_defaults_to_the_policy_runbooks_dir_next_to_the_policy_file(
    tmp_path: Path, write: WriteRunbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "guides").mkdir()
    write("guides/disk-full.md", GOOD.replace("severity: SEV2", "severity: P2"))  # in the working directory: unused
    (tmp_path / "conf" / "guides").mkdir(parents=True)
    write("conf/guides/disk-full.md", GOOD)
    write(
        "conf/policy.yaml",
        """\
        runbooks_dir: guides
        default_severity: P2
        severities:
          - {name: P1, description: Everything is down}
          - {name: P2, description: Some of it is down}
        """,
    )
    monkeypatch.setenv("FIREBELL_CONFIG", "conf/policy.yaml")
    result = CliRunner().invoke(runbooks, ["check"])
    assert result.exit_code == 1
    guides = tmp_path / "conf" / "guides"
    assert result.output.splitlines() == [
        f"{guides}/disk-full.md:6: error: severity 'SEV2' is not one of the policy's severities: P1, P2",
        f"Checked 1 runbook in {guides}: 1 error, 0 warnings.",
    ]


def test_with_no_policy_file_check_and_list_use_the_shipped_runbooks(tmp_path: Path, write: WriteRunbook) -> None:
    (tmp_path / "runbooks").mkdir()
    write("runbooks/broken.md", "---\ntitle: Broken\n---\n")  # ./runbooks is not read without a policy saying so
    checked = CliRunner().invoke(runbooks, ["check"])
    assert checked.exit_code == 0, checked.output
    assert f"Checked 6 runbooks in {SHIPPED}:" in checked.output
    listed = CliRunner().invoke(runbooks, ["list"])
    assert listed.exit_code == 0, listed.output
    assert len(listed.stdout.splitlines()) == 1 + 6


def test_a_configured_runbooks_dir_that_is_missing_fails(write: WriteRunbook, monkeypatch: pytest.MonkeyPatch) -> None:
    write("policy.yaml", "runbooks_dir: nowhere\n")
    monkeypatch.setenv("FIREBELL_CONFIG", "policy.yaml")
    result = CliRunner().invoke(runbooks, ["check"])
    assert result.exit_code == 1
    assert f"{Path.cwd() / 'nowhere'}: error: not a directory of runbooks" in result.output


def test_an_invalid_policy_is_reported(tmp_path: Path, write: WriteRunbook, monkeypatch: pytest.MonkeyPatch) -> None:
    write("policy.yaml", "channel_prefix: NOT VALID\n")
    monkeypatch.setenv("FIREBELL_CONFIG", str(tmp_path / "policy.yaml"))
    result = CliRunner().invoke(runbooks, ["check", "."])
    assert result.exit_code == 2
    assert f"firebell: {tmp_path / 'policy.yaml'}: channel_prefix: expected 1-20 characters" in result.stderr


def test_list_prints_a_table() -> None:
    result = CliRunner().invoke(runbooks, ["list", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split() == ["SLUG", "TITLE", "SERVICES", "OWNER", "REVIEW", "BY", "STEPS"]
    assert len(rows) == 6
    row = next(row for row in rows if row.startswith("database-primary-failover "))
    assert "Database primary failover (PostgreSQL)" in row
    assert "postgres, orders-db" in row
    assert "@dba-oncall" in row
    assert row.split()[-2:] == ["2027-03-31", "11"]


def test_list_reports_skipped_runbooks(write: WriteRunbook) -> None:
    write("disk-full.md", GOOD)
    write("broken.md", "---\ntitle: Broken\n---\n")
    result = CliRunner().invoke(runbooks, ["list", "."])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("disk-full ")
    assert result.stderr == "skipped broken.md: malformed; see `firebell runbooks check .`\n"


def test_list_of_a_missing_directory_fails() -> None:
    result = CliRunner().invoke(runbooks, ["list", "nowhere"])
    assert result.exit_code == 2
    assert result.stderr == "firebell: nowhere is not a directory of runbooks\n"


def test_match_prints_the_ranking_scores_and_threshold() -> None:
    """The reported false match: a deploy of the metrics pipeline is no HTTP 5xx incident, and the author
    can see why the 5xx runbook, though it scores, is not suggested."""
    title = "SEV4: blank dashboards since the 14:00 deploy of the metrics pipeline"
    result = CliRunner().invoke(runbooks, ["match", title, "--dir", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Query terms: blank dashboard deploy metric pipelin"
    assert "Threshold: 0.42." in result.output
    table = lines[lines.index(next(line for line in lines if line.startswith("RANK"))) + 1 :]
    first = table[0].split()
    assert first[0] == "1" and float(first[1]) >= 0.42  # it scores above the threshold...
    assert "no: only context words in title/keywords" in table[0] and "http-5xx-after-deploy" in table[0]
    assert len([line for line in table if line[:1].isdigit()]) == 6  # every runbook is ranked
    assert lines[-1] == "Suggested: none"


def test_match_shows_what_is_suggested_and_why_the_rest_is_not() -> None:
    result = CliRunner().invoke(runbooks, ["match", "500s on checkout after rollout"])  # the policy's runbooks
    assert result.exit_code == 0, result.output
    assert "Query terms: 5xx checkout deploy" in result.output
    rows = [line.split() for line in result.output.splitlines() if line[:1].isdigit()]
    assert rows[0][:4] == ["1", rows[0][1], "yes", "http-5xx-after-deploy"]
    scores = [float(row[1]) for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert any("no: not in title/keywords" in line for line in result.output.splitlines())
    assert result.output.splitlines()[-1] == "Suggested: http-5xx-after-deploy"


def test_match_on_a_missing_directory_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(runbooks, ["match", "db down", "--dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert result.output.strip() == f"firebell: {tmp_path / 'nowhere'} is not a directory of runbooks"
