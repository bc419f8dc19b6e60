"""How the `firebell` command fails: `firebell: ...` lines on stderr and a non-zero exit, never a traceback."""

import os
import re
import sys
import traceback
from typing import Any, NoReturn

import click
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from firebell.domain.errors import FirebellError
from firebell.domain.naming import MAX_INCIDENT_NUMBER

USAGE = 2  # what click uses for a malformed command line; Firebell uses it for every refused input
FAILURE = 1


def fail(message: str, code: int = USAGE) -> NoReturn:
    """Print each line of `message` as `firebell: <line>` on stderr and exit with `code`."""
    for line in message.splitlines() or [""]:
        click.echo(f"firebell: {line}", err=True)
    sys.exit(code)


class IncidentNumber(click.ParamType[int, Any]):
    """An incident number as people write it (`42` or `INC-42`), within what the database can hold."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """The number, or a usage error naming the valid range."""
        if isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        else:
            text = str(value).strip().upper().removeprefix("INC-")
        if not re.fullmatch(r"[0-9]{1,10}", text) or not 1 <= int(text) <= MAX_INCIDENT_NUMBER:
            shown = str(value) if len(str(value)) <= 24 else str(value)[:24] + "…"
            self.fail(f"expected an incident number from 1 to {MAX_INCIDENT_NUMBER} (as in INC-42), got {shown!r}.")
        return int(text)


class OneLineErrors(click.Group):
    """A click group whose every failure ends as `firebell: ...` lines and a non-zero exit."""

    def main(  # type: ignore[override]
        self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None, **extra: Any
    ) -> NoReturn:
        """Run the command; turn each way it can fail into a sentence."""
        extra.pop("standalone_mode", None)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            hint = f" See '{exc.ctx.command_path} --help'." if isinstance(exc, click.UsageError) and exc.ctx else ""
            fail(exc.format_message() + hint, exc.exit_code)
        except click.Abort:
            fail("aborted.", 130)
        except KeyboardInterrupt:
            fail("interrupted.", 130)
        except FirebellError as exc:
            fail(exc.message)
        except SQLAlchemyError as exc:
            from firebell.store.database_url import describe_failure

            fail(describe_failure(exc, _database_url()), FAILURE)
        except OSError as exc:
            fail(_describe_os_error(exc), FAILURE)
        except Exception as exc:  # a bug: say so in a line; the traceback only when asked for
            if os.environ.get("FIREBELL_LOG_LEVEL", "").strip().upper() == "DEBUG":
                traceback.print_exc()
            first = (str(exc).strip().splitlines() or [""])[0]
            fail(f"unexpected error ({type(exc).__name__}: {first}); FIREBELL_LOG_LEVEL=DEBUG shows where.", FAILURE)
        sys.exit(result if isinstance(result, int) else 0)


def _database_url() -> URL | None:
    from firebell.config import load_settings
    from firebell.store.database_url import parse_database_url

    try:
        return parse_database_url(load_settings().database_url)
    except FirebellError:
        return None


def _describe_os_error(exc: OSError) -> str:
    reason = exc.strerror or type(exc).__name__
    return f"{exc.filename}: {reason}." if exc.filename else f"{reason}: {exc}."
