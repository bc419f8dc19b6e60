"""What the background prints goes above the line being typed at the playground's prompt."""

import builtins
import io
from types import SimpleNamespace

import pytest

from firebell.demo import playground, prompt
from firebell.demo.prompt import CLEAR_LINE, PromptLine
from firebell.demo.stack import demo_workspace
from firebell.demo.transcript import Transcript, make_console

PROMPT = "alice in #general> "


def test_a_print_while_typing_clears_the_line_and_draws_it_again() -> None:
    emu = demo_workspace()
    out = io.StringIO()
    transcript = Transcript(emu, make_console(color=False, file=out), color=False)
    transcript.prime()
    transcript.prompt_line = PromptLine(out, lambda: PROMPT, typed=lambda: "/incident decl")
    general = emu.channel("general").id
    with transcript.prompt_line.reading():
        emu.post_as_user(emu.user_id("bob"), general, "a status update for INC-1 is due")
        assert transcript.flush() == 1
    assert out.getvalue().startswith(CLEAR_LINE)
    assert "a status update for INC-1 is due\n" in out.getvalue()
    assert out.getvalue().endswith(PROMPT + "/incident decl")  # the partial line, ready to go on typing
    out.truncate(0)
    out.seek(0)
    emu.post_as_user(emu.user_id("bob"), general, "and again")  # not reading: printed as is
    transcript.flush()
    assert CLEAR_LINE not in out.getvalue() and PROMPT not in out.getvalue()


def test_the_interactive_reader_keeps_the_prompt_below_background_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    """The playground's own input loop: a reminder arriving while `input()` waits is printed above it."""
    emu = demo_workspace()
    out = io.StringIO()
    transcript = Transcript(emu, make_console(color=False, file=out), color=False)
    transcript.prime()

    session = SimpleNamespace(prompt=PROMPT, transcript=transcript)
    typed = iter(["/incident status"])

    def fake_input(prompt: str) -> str:
        out.write(prompt)
        emu.post_as_user(emu.user_id("bob"), emu.channel("general").id, "reminder from the watcher")
        transcript.flush()  # what the watcher thread does meanwhile
        return next(typed)

    monkeypatch.setattr(builtins, "input", fake_input)
    monkeypatch.setattr(prompt, "readline_buffer", lambda: "/incident st")
    lines = playground._lines(io.StringIO(), session, interactive=True)  # type: ignore[arg-type]
    assert next(lines) == "/incident status"
    text = out.getvalue()
    assert text.startswith(PROMPT + CLEAR_LINE)
    assert text.endswith(PROMPT + "/incident st")  # drawn again under the reminder, with what was typed
