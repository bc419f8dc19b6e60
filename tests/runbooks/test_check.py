"""`check_dir`: every problem in a runbooks directory, as file:line: level: message."""

from datetime import date
from pathlib import Path

from firebell.domain.policy import Policy
from firebell.runbooks.check import Finding, check_dir, has_errors
from firebell.runbooks.location import SHIPPED
from tests.runbooks.conftest import GOOD, WriteRunbook

TODAY = date(2026, 11, 24)


def lines(findings: list[Finding]) -> list[str]:
    return [finding.format() for finding in findings]


def test_a_clean_directory_has_no_findings(tmp_path: Path, write: WriteRunbook) -> None:
    write("disk-full.md", GOOD)
    write("README.md", "# About these runbooks\n\nNot a runbook: no front matter.\n")
    assert check_dir(tmp_path, TODAY, ["SEV1", "SEV2"]) == []


def test_errors_and_warnings_across_files(tmp_path: Path, write: WriteRunbook) -> None:
    write("a-good.md", GOOD)
    write("b-same-title.md", GOOD.replace("review_by: 2099-01-01", "review_by: 2026-01-01"))
    write("c-broken.md", "---\ntitle: Broken\nservices: api\nkeywords: [x]\nowner: U1ABC\ncolor: red\n---\nNo steps.\n")
    write("d-no-front-matter.md", "# Notes\n")
    findings = check_dir(tmp_path, TODAY, ["SEV1", "SEV2"])
    assert lines(findings) == [
        f"{tmp_path}/b-same-title.md:2: error: duplicate title 'Disk full on a database host', also the title of a-good.md",
        f"{tmp_path}/b-same-title.md:7: warning: review_by 2026-01-01 has passed; review this runbook",
        f"{tmp_path}/c-broken.md:3: error: services: expected a list of service names, like [orders-db, checkout], got 'api'",
        f"{tmp_path}/c-broken.md:6: error: unknown key 'color': known keys are title, services, keywords, owner, severity, review_by",
        f"{tmp_path}/c-broken.md:8: error: no steps: write the steps as a numbered list (1. ...) or a checkbox list (- [ ] ...)",
        f"{tmp_path}/d-no-front-matter.md:1: error: no front matter: a runbook starts with a line '---', then title, services, keywords and owner, then '---'",
    ]
    assert has_errors(findings)


def test_review_by_passed_is_only_a_warning(tmp_path: Path, write: WriteRunbook) -> None:
    write("disk-full.md", GOOD.replace("2099-01-01", "2026-01-01"))
    findings = check_dir(tmp_path, TODAY)
    assert lines(findings) == [
        f"{tmp_path}/disk-full.md:7: warning: review_by 2026-01-01 has passed; review this runbook"
    ]
    assert not has_errors(findings)
    assert check_dir(tmp_path, date(2026, 1, 1)) == []  # due today is not yet passed


def test_severity_must_be_one_of_the_policy_severities(tmp_path: Path, write: WriteRunbook) -> None:
    write("disk-full.md", GOOD.replace("severity: SEV2", "severity: P1"))
    assert lines(check_dir(tmp_path, TODAY, ["SEV1", "SEV2"])) == [
        f"{tmp_path}/disk-full.md:6: error: severity 'P1' is not one of the policy's severities: SEV1, SEV2"
    ]
    assert check_dir(tmp_path, TODAY, ["p1", "p2"]) == []  # names compare case-insensitively
    assert check_dir(tmp_path, TODAY) == []  # no policy given: the hint is not checked


def test_owner_and_file_name_warnings(tmp_path: Path, write: WriteRunbook) -> None:
    write("Disk_Full.md", GOOD.replace("owner: U0123ABCD", "owner: the DBA team"))
    assert [(finding.line, finding.level) for finding in check_dir(tmp_path, TODAY)] == [(1, "warning"), (5, "warning")]


def test_limits_slack_and_the_store_impose(tmp_path: Path, write: WriteRunbook) -> None:
    write("long-title.md", GOOD.replace("Disk full on a database host", "Disk full " * 20))
    write(("x" * 101) + ".md", GOOD.replace("Disk full on a database host", "Another"))
    many = "\n".join(f"{n}. Step {n}." for n in range(1, 48))
    write("many-steps.md", GOOD.split("\n1. ")[0].replace("Disk full on a database host", "Many") + "\n" + many + "\n")
    long_step = "1. One long step.\n" + "\n".join("   " + "y" * 70 for _ in range(50)) + "\n"
    write("long-step.md", GOOD.split("\n1. ")[0].replace("Disk full on a database host", "Long") + "\n" + long_step)
    found = lines(check_dir(tmp_path, TODAY))
    assert f"{tmp_path}/long-title.md:2: error: title: at most 150 characters (this one has 199)" in found
    assert (
        f"{tmp_path}/{'x' * 101}.md:1: error: file name: at most 100 characters before .md (it is how people ask for it)"
        in found
    )
    assert any(
        line.startswith(f"{tmp_path}/many-steps.md:") and "47 steps: the war-room checklist shows the first 45" in line
        for line in found
    )
    assert any(line.startswith(f"{tmp_path}/long-step.md:10: warning: step 1 has") for line in found)


def test_missing_and_empty_directories(tmp_path: Path) -> None:
    assert lines(check_dir(tmp_path / "nope", TODAY)) == [f"{tmp_path}/nope: error: not a directory of runbooks"]
    assert lines(check_dir(tmp_path, TODAY)) == [
        f"{tmp_path}: warning: no runbooks here (*.md files with front matter)"
    ]


def test_the_shipped_runbooks_pass_the_check() -> None:
    severities = Policy().severity_names
    assert [
        finding.format() for finding in check_dir(SHIPPED, date.today(), severities) if finding.level == "error"
    ] == []
    assert check_dir(SHIPPED, date(2026, 12, 1), severities) == []  # and no warnings before their review dates
