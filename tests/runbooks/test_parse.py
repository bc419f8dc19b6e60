"""Reading runbook files: front matter, steps, commands, links, and errors with line numbers."""

from datetime import date
from pathlib import Path

import pytest

from firebell.runbooks.errors import Problem, RunbookError
from firebell.runbooks.model import Link
from firebell.runbooks.parse import parse_runbook

PATH = Path("runbooks/example.md")

FRONT = """\
---
title: Example
services: [api]
keywords: [ExampleAlert]
owner: U0123ABCD
---
"""


def problems(text: str) -> list[Problem]:
    with pytest.raises(RunbookError) as caught:
        parse_runbook(text, PATH)
    return list(caught.value.problems)


def test_front_matter_values_are_read() -> None:
    text = """\
---
title: Database primary failover
services: [postgres, orders-db]
keywords:
  - PostgresPrimaryDown
  - 502
  - no
owner: "@dba-oncall"
severity: SEV1
review_by: 2027-03-31
---
1. Check the primary.
"""
    runbook = parse_runbook(text, PATH)
    assert runbook.title == "Database primary failover"
    assert runbook.services == ["postgres", "orders-db"]
    assert runbook.keywords == ["PostgresPrimaryDown", "502", "no"]  # YAML's 502 and no stay text
    assert runbook.owner == "@dba-oncall"
    assert runbook.severity == "SEV1"
    assert runbook.review_by == date(2027, 3, 31)
    assert runbook.slug == "example"
    assert runbook.field_lines == {
        "title": 2,
        "services": 3,
        "keywords": 4,
        "owner": 8,
        "severity": 9,
        "review_by": 10,
    }


def test_numbered_steps_with_continuation_commands_and_links() -> None:
    text = (
        FRONT
        + """
Intro paragraph, not a step. See [the dashboard](https://grafana.example.com/d/1).

## Diagnose

1. Check the pods.
   Look for restarts; see [kubectl docs](https://kubernetes.io/docs/reference/kubectl/)
   and <https://example.com/wiki>.

   ```bash
   kubectl get pods -n shop
   kubectl get events -n shop
   ```

   - If pods crash, go to step 3.
2. Roll back.
   ```
   kubectl rollout undo deployment/shop -n shop
   ```

## Verify

10. Watch the error rate for 10 minutes.
"""
    )
    runbook = parse_runbook(text, PATH)
    assert [step.number for step in runbook.steps] == [1, 2, 3]
    first, second, third = runbook.steps
    assert first.title == "Check the pods."
    assert first.line == 12
    assert first.section == "Diagnose"
    assert first.commands == ["kubectl get pods -n shop\nkubectl get events -n shop"]
    assert first.links == [
        Link(label="kubectl docs", url="https://kubernetes.io/docs/reference/kubectl/"),
        Link(label="https://example.com/wiki", url="https://example.com/wiki"),
    ]
    assert first.text.splitlines() == [
        "Check the pods.",
        "Look for restarts; see [kubectl docs](https://kubernetes.io/docs/reference/kubectl/)",
        "and <https://example.com/wiki>.",
        "",
        "```bash",
        "kubectl get pods -n shop",
        "kubectl get events -n shop",
        "```",
        "",
        "- If pods crash, go to step 3.",
    ]
    assert first.detail.startswith("Look for restarts")
    assert second.commands == ["kubectl rollout undo deployment/shop -n shop"]
    assert (third.number, third.title, third.section) == (3, "Watch the error rate for 10 minutes.", "Verify")
    assert "Intro paragraph" in runbook.body


def test_checkbox_steps() -> None:
    text = (
        FRONT
        + "- [ ] Page the owner.\n- [x] Open the dashboard.\n  It shows [errors](https://x.example).\n* [ ] Post an update.\n"
    )
    runbook = parse_runbook(text, PATH)
    assert [step.title for step in runbook.steps] == ["Page the owner.", "Open the dashboard.", "Post an update."]
    assert runbook.steps[1].links == [Link(label="errors", url="https://x.example")]


def test_plain_bullets_and_unindented_paragraphs_are_not_steps() -> None:
    text = (
        FRONT
        + """\
- a plain bullet
1. The only step.
Lazy continuation of the step.

Unindented context after the step.
- another bullet

    1. indented four spaces: not a step
"""
    )
    runbook = parse_runbook(text, PATH)
    assert len(runbook.steps) == 1
    assert runbook.steps[0].text == "The only step.\nLazy continuation of the step."


def test_nested_lists_belong_to_their_step() -> None:
    text = FRONT + "1. Parent step.\n   1. sub one\n   2. sub two\n  - [ ] sub check\n2. Next step.\n"
    runbook = parse_runbook(text, PATH)
    assert [step.title for step in runbook.steps] == ["Parent step.", "Next step."]
    assert "sub check" in runbook.steps[0].text


def test_an_unindented_fence_right_after_a_step_is_its_command() -> None:
    text = FRONT + "1. Restart it.\n\n```bash\nsystemctl restart shop\n```\n\nContext.\n\n2. Check it.\n"
    runbook = parse_runbook(text, PATH)
    assert runbook.steps[0].commands == ["systemctl restart shop"]
    assert runbook.steps[1].commands == []


def test_list_lines_inside_a_top_level_code_block_are_not_steps() -> None:
    text = FRONT + "~~~text\n1. not a step\n~~~\n1. A step.\n   ````md\n   ```\n   2. still code\n   ````\n"
    runbook = parse_runbook(text, PATH)
    assert [step.title for step in runbook.steps] == ["A step."]
    assert runbook.steps[0].commands == ["```\n2. still code"]


def test_crlf_and_bom_give_the_same_runbook_and_line_numbers() -> None:
    text = FRONT + "1. First.\n   ```\n   echo hi\n   ```\n2. Second.\n"
    windows = "\ufeff" + text.replace("\n", "\r\n")
    unix, crlf = parse_runbook(text, PATH), parse_runbook(windows, PATH)
    assert crlf == unix
    assert [step.line for step in crlf.steps] == [7, 11]
    assert crlf.steps[0].commands == ["echo hi"]
    broken = "title: Example", "title: [Example"
    assert problems(windows.replace(*broken)) == problems(text.replace(*broken))
    assert problems(windows.replace(*broken))[0].line == 3


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        (
            "services: [api]\nkeywords: [x]\nowner: U1ABC\n",
            [Problem(1, "missing required key 'title': expected a non-empty string, like: Database primary failover")],
        ),
        (
            "title: T\nservices: api\nkeywords: [x]\nowner: U1ABC\n",
            [Problem(3, "services: expected a list of service names, like [orders-db, checkout], got 'api'")],
        ),
        (
            "title: T\nservices: [api, {a: 1}]\nkeywords: [x]\nowner: U1ABC\n",
            [Problem(3, "services[1]: expected a non-empty string, got a mapping")],
        ),
        (
            "title: T\nservices: [api]\nkeywords: [x]\nowner: U1ABC\nsevrity: SEV1\n",
            [
                Problem(
                    6,
                    "unknown key 'sevrity': did you mean 'severity'? known keys are "
                    "title, services, keywords, owner, severity, review_by",
                )
            ],
        ),
        (
            "title: T\nservices: [api]\nkeywords: [x]\nowner: U1ABC\nreview_by: 2027-02-30\n",
            [
                Problem(
                    6, "review_by: '2027-02-30' is not a calendar date; expected a date as YYYY-MM-DD, like 2027-03-31"
                )
            ],
        ),
        (
            "title: T\nservices: [api]\nkeywords: [x]\nowner: U1ABC\nreview_by: next year\n",
            [Problem(6, "review_by: expected a date as YYYY-MM-DD, like 2027-03-31, got 'next year'")],
        ),
        (
            "title:\nservices: [api]\nkeywords: [x]\nowner: U1ABC\n",
            [Problem(2, "title: expected a non-empty string, like: Database primary failover, got nothing")],
        ),
        (
            "title: T\ntitle: U\nservices: [api]\nkeywords: [x]\nowner: U1ABC\n",
            [Problem(3, "duplicate key 'title' (first on line 2)")],
        ),
        (
            "title: T\nservices: [api\nkeywords: [x]\nowner: U1ABC\n",
            [Problem(4, "front matter is not valid YAML: expected ',' or ']', but got ':'")],
        ),
        ("- just\n- a list\n", [Problem(2, "front matter: expected keys and values (title: ..., services: [...])")]),
        ("", [Problem(1, "front matter is empty; expected the keys title, services, keywords, owner")]),
    ],
)
def test_front_matter_errors_name_the_key_and_line(front: str, expected: list[Problem]) -> None:
    assert problems(f"---\n{front}---\n1. A step.\n") == expected


def test_all_front_matter_problems_are_reported_together() -> None:
    found = problems("---\ntitle: 5\nservices: {}\nkeywords: []\ncolour: red\n---\n1. Step\n")
    assert [problem.line for problem in found] == [1, 3, 5]
    assert found[0].message.startswith("missing required key 'owner'")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "# Just a doc\n",
            Problem(
                1,
                "no front matter: a runbook starts with a line '---', then title, services, keywords and owner, then '---'",
            ),
        ),
        ("---\ntitle: T\n", Problem(1, "front matter opened here is never closed with a line '---'")),
        (
            FRONT + "\nNo list here.\n- a bullet\n",
            Problem(7, "no steps: write the steps as a numbered list (1. ...) or a checkbox list (- [ ] ...)"),
        ),
        (FRONT, Problem(6, "no steps: write the steps as a numbered list (1. ...) or a checkbox list (- [ ] ...)")),
        (
            FRONT + "1. Step\n   ```bash\n   echo\n",
            Problem(8, "code block opened here is never closed; close it with a line of ```"),
        ),
        (
            FRONT + "1. First\n2.\n3. Third\n",
            Problem(8, "step 2 is empty: write what to do after the number or checkbox"),
        ),
    ],
)
def test_body_errors_carry_line_numbers(text: str, expected: Problem) -> None:
    assert problems(text) == [expected]


def test_error_message_names_file_and_line() -> None:
    with pytest.raises(RunbookError) as caught:
        parse_runbook("---\ntitle: T\n---\n1. x\n", PATH)
    assert caught.value.path == PATH
    assert caught.value.message.splitlines()[0] == (
        "runbooks/example.md:1: missing required key 'services': expected a list of service names, like [orders-db, checkout]"
    )


@pytest.mark.parametrize(
    ("owner", "mention"),
    [
        ("U0123ABCD", "<@U0123ABCD>"),
        ("W0123ABCD", "<@W0123ABCD>"),
        ("S0123ABCD", "<!subteam^S0123ABCD>"),
        ("'<@U0123ABCD|ann>'", "<@U0123ABCD>"),
        ("'<!subteam^S0123ABCD|@dba>'", "<!subteam^S0123ABCD>"),
        ("'@payments-oncall'", "@payments-oncall"),
        ("'<!channel> & co'", "&lt;!channel&gt; &amp; co"),
    ],
)
def test_owner_mention(owner: str, mention: str) -> None:
    runbook = parse_runbook(FRONT.replace("owner: U0123ABCD", f"owner: {owner}") + "1. x\n", PATH)
    assert runbook.owner_mention() == mention


def test_inline_code_at_the_start_of_a_line_is_not_a_fence() -> None:
    text = FRONT + "1. Run it:\n   ```kubectl get pods``` shows them.\n2. Next.\n"
    runbook = parse_runbook(text, PATH)
    assert [step.title for step in runbook.steps] == ["Run it:", "Next."]
    assert runbook.steps[0].commands == []


def test_headings_name_sections_and_end_steps() -> None:
    text = (
        FRONT + "1. Before any heading.\n## Mitigate ##\n   indented after a heading: context\n- [ ] Under mitigate.\n"
    )
    runbook = parse_runbook(text, PATH)
    assert [(step.section, step.text) for step in runbook.steps] == [
        (None, "Before any heading."),
        ("Mitigate", "Under mitigate."),
    ]
