"""The `firebell` command: serve, db upgrade, demo, playground."""

import gc
import logging
import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

import firebell
from firebell.command_errors import IncidentNumber, OneLineErrors, fail
from firebell.config import load_settings, read_policy, require_notifier_secrets
from firebell.runbooks.cli import runbooks

log = logging.getLogger("firebell.serve")

if TYPE_CHECKING:
    from firebell.domain.policy import Policy
    from firebell.services.context import Context


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # slack_sdk logs request bodies at DEBUG; keep it quieter than our own logs.
    logging.getLogger("slack_sdk").setLevel(max(logging.INFO, logging.getLogger().level))
    # APScheduler logs every tick at INFO.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


@click.group(cls=OneLineErrors)
@click.version_option(firebell.__version__, prog_name="firebell")
def main() -> None:
    """Firebell: self-hosted, Slack-native incident management."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option(
    "--socket-mode",
    is_flag=True,
    help="Receive Slack traffic over Socket Mode (needs SLACK_APP_TOKEN; or set FIREBELL_SOCKET_MODE=1).",
)
@click.option(
    "--status-port",
    type=click.IntRange(1, 65535),
    help="Also serve the public status page alone on this port: only /status, /status.json and the feeds, never "
    "/slack/events, /api or anything internal (the main port keeps serving /status too).",
)
@click.option(
    "--status-host",
    help="Interface for --status-port (default: the same as --host; 0.0.0.0 to publish the page alone).",
)
def serve(host: str, port: int, socket_mode: bool, status_port: int | None, status_host: str | None) -> None:
    """Run the service: Slack at POST /slack/events, GET /healthz, the REST API under /api/v1, and the public
    status page at /status (with /status.json, /status/feed.atom and /status/feed.rss), and the internal web view
    at /incidents (FIREBELL_WEB_VIEW=slack for Sign in with Slack, open, or off)."""
    settings = load_settings()
    socket_mode = socket_mode or settings.firebell_socket_mode
    _setup_logging(settings.firebell_log_level)
    # Hand the GIL over every 1 ms rather than 5 ms: the event loop answering Slack then waits less for
    # worker threads (measured: /incident help p99 at 16 concurrent requests from 66 ms to 36 ms).
    sys.setswitchinterval(0.001)
    _, _, app_token = settings.require_slack(socket_mode=socket_mode)
    source = read_policy(settings.firebell_config)
    require_notifier_secrets(source.policy)
    for warning in source.warnings:
        log.warning("policy: %s", warning)
    if source.path is None:
        log.info("policy: the built-in defaults (no FIREBELL_CONFIG, no ./firebell.yaml)")
    else:
        log.info("policy: %s (built-in defaults for: %s)", source.path, ", ".join(source.defaulted) or "nothing")
    if problem := settings.web_view_problem():
        fail(problem)
    if problem := _check_listen(host, port):
        fail(problem)
    status_host = status_host or host
    if status_port is not None:
        if status_port == port:
            fail(f"--status-port {status_port}: the main service already listens there; pick another port.")
        if problem := _check_listen(status_host, status_port):
            fail(f"--status-port: {problem}")
    elif status_host != host:
        fail("--status-host needs --status-port: say which port the status page alone listens on.")
    if socket_mode and app_token is not None and (problem := _check_app_token(app_token, settings.slack_api_url)):
        fail(problem)
    # The service's modules load only now (about 2 s of a small machine's CPU): a mistake above is told at once.
    import uvicorn

    from firebell.api.app import create_app
    from firebell.api.status_page.app import create_status_app
    from firebell.api.status_page.cache import StatusPageCache
    from firebell.runbooks.location import describe
    from firebell.runtime import build_runtime

    runtime = build_runtime(settings, source.policy)
    log.info("runbooks: %d loaded from %s", len(runtime.shelf.library.all()), describe(runtime.shelf.directory))
    status_cache = StatusPageCache(runtime.ctx)  # one per process: both ports serve from it
    app = create_app(runtime, socket_mode_token=app_token if socket_mode else None, status_cache=status_cache)
    # Everything built so far lives as long as the process: move it out of the collector's sight, so a
    # full collection while serving does not walk it (measured: the slowest `help` ack at 16 concurrent
    # requests from 55 ms to 18 ms, `status` p99 from 96 ms to 67 ms; bench/ack.py).
    gc.collect()
    gc.freeze()
    log_level = settings.firebell_log_level.lower()
    if status_port is None:
        uvicorn.run(app, host=host, port=port, log_level=log_level)
        return
    from firebell.api.status_page.second_port import run_with_status_port

    log.info("status page: also alone on http://%s:%d/status", status_host, status_port)
    run_with_status_port(
        app,
        create_status_app(status_cache),
        host=host,
        port=port,
        status_host=status_host,
        status_port=status_port,
        log_level=log_level,
    )


def _check_listen(host: str, port: int) -> str | None:
    """Whether `host:port` can be listened on (as uvicorn will); a sentence if not, before anything starts."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
    except socket.gaierror:
        return f"--host {host}: not an address or a name this machine can resolve."
    except OSError as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror or exc}."
    return None


def _check_app_token(app_token: str, api_url: str) -> str | None:
    """Ask Slack whether the app-level token can open Socket Mode connections; a message if not."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(base_url=api_url if api_url.endswith("/") else api_url + "/", timeout=15)
    try:
        client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else "unknown"
        return (
            f"Slack refused SLACK_APP_TOKEN for Socket Mode ({error}). Use the app-level token (xapp-...) "
            "with the connections:write scope, from Basic Information > App-Level Tokens."
        )
    except OSError as exc:
        return f"Could not reach Slack to open Socket Mode: {type(exc).__name__}."
    return None


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command()
def upgrade() -> None:
    """Apply every pending migration to DATABASE_URL."""
    from firebell.store.engine import make_engine
    from firebell.store.migrate import current_revision
    from firebell.store.migrate import upgrade as run_upgrade

    settings = load_settings()
    _setup_logging(settings.firebell_log_level)
    engine = make_engine(settings.database_url)
    try:
        run_upgrade(engine)
        click.echo(f"Database is at revision {current_revision(engine)}.")
    finally:
        engine.dispose()


def _context() -> "Context":
    """The store and policy for commands that read an existing database (never creating one)."""
    from firebell.services.context import Context
    from firebell.store.database import Database
    from firebell.store.database_url import parse_database_url, require_existing, require_schema
    from firebell.store.engine import make_engine

    settings = load_settings()
    policy = _command_policy(settings.firebell_config)
    unset = "database_url" not in settings.model_fields_set
    require_existing(parse_database_url(settings.database_url), unset=unset)
    engine = make_engine(settings.database_url)
    require_schema(engine)
    return Context(db=Database(engine), policy=policy)


def _command_policy(path: Path | None) -> "Policy":
    """The policy for a one-off command; its warnings go to stderr as `firebell: warning: ...` lines."""
    source = read_policy(path)
    for warning in source.warnings:
        click.echo(f"firebell: warning: {warning}", err=True)
    return source.policy


def _writable_file(path: Path) -> Path:
    """`path` if a file can be written there; a sentence naming what is in the way, before any work is done."""
    folder = path.parent
    if path.is_dir():
        fail(f"-o {path}: is a directory; name a file.")
    if not folder.is_dir():
        fail(f"-o {path}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        fail(f"-o {path}: this user cannot write there.")
    return path


@main.command()
@click.argument("number", type=IncidentNumber())
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
def postmortem(number: int, output: Path | None) -> None:
    """Write incident NUMBER's postmortem draft (Markdown), as the API returns it."""
    from firebell.services.postmortem import postmortem_markdown

    if output is not None:
        _writable_file(output)
    markdown = postmortem_markdown(_context(), number)
    if output is not None:
        output.write_text(markdown, encoding="utf-8")
        click.echo(f"Wrote INC-{number}'s postmortem draft to {output}.")
    else:
        click.echo(markdown, nl=False)


@main.group()
def outbox() -> None:
    """The queue of Slack effects: inspect it, requeue what failed."""


@outbox.command("status")
def outbox_status() -> None:
    """Counts of pending, delivered and failed effects, and the recent failures."""
    from firebell.services.outbox.admin import outbox_summary

    summary = outbox_summary(_context())
    click.echo(f"pending {summary.pending}  delivered {summary.done}  failed {summary.dead}")
    for failed in summary.failed:
        label = f"INC-{failed.incident_number}" if failed.incident_number else "-"
        click.echo(f"  #{failed.id} {label} {failed.kind}: {failed.error}")


@outbox.command("retry")
@click.option("--incident", type=IncidentNumber(), help="Only this incident's failed effects.")
@click.option("--all", "all_", is_flag=True, help="Every failed effect.")
def outbox_retry(incident: int | None, all_: bool) -> None:
    """Requeue failed effects once the cause (a scope, a token, a channel) is fixed."""
    from firebell.services.outbox.admin import requeue_failed

    if incident is None and not all_:
        fail("say which: --incident N, or --all")
    count = requeue_failed(_context(), incident_number=incident)
    click.echo(f"Requeued {count} failed effects; a running firebell delivers them within a second.")


main.add_command(runbooks)


@main.group()
def schedules() -> None:
    """On-call schedule commands: calendar feeds."""


@schedules.command("rotate-ical")
@click.argument("name")
@click.option(
    "--base-url",
    metavar="URL",
    help="Where people reach this Firebell (https://firebell.example.com): the whole feed URL is printed.",
)
def rotate_ical(name: str, base_url: str | None) -> None:
    """Give schedule NAME's calendar feed a new secret URL (the old one stops working) and print it."""
    from firebell.services.oncall.feeds import rotate_feed

    if base_url is not None and not base_url.startswith(("https://", "http://")):
        fail(f"--base-url {base_url}: expected an http(s) URL like https://firebell.example.com.")
    secret = rotate_feed(_context(), name)
    path = f"/ical/{secret}.ics"
    click.echo(f"{base_url.rstrip('/')}{path}" if base_url else path)
    if base_url is None:
        click.echo("(the path on this Firebell's public address; --base-url prints the whole URL)", err=True)
    click.echo(f"Anyone with this URL can read {name}'s shifts; run this again to rotate it.", err=True)


@main.command()
@click.option("--speed", type=float, default=1.0, show_default=True, help="Scale the pauses between steps (0: none).")
@click.option("--no-color", is_flag=True, help="Plain text, no colour.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Where to write the postmortem draft (default: a new temporary folder; the path is printed).",
)
@click.option(
    "--scenario",
    type=click.Choice(["incident", "alert", "paging"]),
    default="incident",
    show_default=True,
    help="incident: a SEV1 declared by a person, start to postmortem. alert: an Alertmanager alert, posted over "
    "HTTP, declares an incident; more alerts are coalesced in the war room; they resolve. paging: a declare pages "
    "the on-call person, who acknowledges from a DM; a page by hand escalates when the first person can't.",
)
def demo(speed: float, no_color: bool, output: Path | None, scenario: str) -> None:
    """Watch a scripted SEV1 (or an alert-born incident, or on-call paging) run against the built-in Slack
    emulator: no workspace, no tokens."""
    import tempfile

    from firebell.demo.script import run_demo

    # Not the working directory: inside a checkout the draft would be an untracked file.
    if output:
        output = _writable_file(output)
    elif scenario in ("alert", "paging"):  # no postmortem in these scenarios: no folder made for one
        output = Path(tempfile.gettempdir()) / f"firebell-demo-{os.getpid()}-postmortem.md"
    else:
        output = Path(tempfile.mkdtemp(prefix="firebell-demo-")) / "postmortem.md"
    sys.exit(run_demo(speed=speed, color=not no_color, output=output, scenario=scenario))


@main.command()
@click.option("--as", "user", default="alice", show_default=True, help="Who you are at the start (:as to switch).")
@click.option("--no-color", is_flag=True, help="Plain text, no colour.")
def playground(user: str, no_color: bool) -> None:
    """Type /incident commands against the built-in Slack emulator and watch what Firebell does."""
    from firebell.demo.playground import run_playground

    sys.exit(run_playground(user=user, color=not no_color))


@main.group()
def policy() -> None:
    """Policy file commands."""


def _check_members_in_slack(policy: "Policy") -> None:
    from firebell.runtime import slack_client
    from firebell.services.oncall.emails import unknown_emails, where_written
    from firebell.slack.outbox.directory import SlackDirectory, slack_error_code

    settings = load_settings()
    if settings.slack_bot_token is None:
        raise click.ClickException("--slack needs SLACK_BOT_TOKEN (the bot token Firebell runs with) to ask Slack")
    directory = SlackDirectory(slack_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url))
    try:
        problems = unknown_emails(policy, directory.user_id_by_email)
    except Exception as exc:  # Slack unreachable, or it refused the token: say which, never the token
        raise click.ClickException(f"could not ask Slack about on-call e-mails: {slack_error_code(exc)}") from None
    if problems:
        raise click.ClickException("; ".join(problems))
    asked = len(where_written(policy))
    click.echo(f"Slack knows every on-call member written as an e-mail ({asked} asked).")


@policy.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--slack",
    "ask_slack",
    is_flag=True,
    help="Also ask Slack (with SLACK_BOT_TOKEN) that every on-call member written as an e-mail is a Slack user.",
)
def policy_check(path: Path | None, ask_slack: bool) -> None:
    """Validate a policy file (default: $FIREBELL_CONFIG, else ./firebell.yaml, else the built-in defaults)."""
    from firebell.domain.durations import format_policy_duration
    from firebell.runbooks.location import describe, runbooks_dir

    source = read_policy(path, named_by_env=False) if path else read_policy(load_settings().firebell_config)
    require_notifier_secrets(source.policy)
    if ask_slack:
        _check_members_in_slack(source.policy)
    for warning in source.warnings:
        click.echo(f"firebell: warning: {warning}", err=True)
    if source.path is None:
        click.echo("No policy file (FIREBELL_CONFIG is unset and there is no ./firebell.yaml): the built-in defaults")
        click.echo("apply, and they are valid. Start your own from config/firebell.yaml (see README: Policy file).")
    else:
        click.echo(f"{source.path} is a valid policy.")
        if source.defaulted:
            click.echo(f"Built-in defaults apply for: {', '.join(source.defaulted)}.")
    click.echo("Severities:")
    for severity in source.policy.severities:
        cadence = (
            f"updates every {format_policy_duration(severity.update_interval)}"
            if severity.update_interval
            else "no fixed update cadence"
        )
        click.echo(f"  {severity.name}: {cadence}")
    restricted = source.policy.permissions.restricted()
    click.echo(
        "Permissions: "
        + ("; ".join(f"{key}: {', '.join(who)}" for key, who in restricted.items()) or "anyone may do anything")
    )
    click.echo(f"Runbooks: {describe(runbooks_dir(source.policy))}")
    for notifier in source.policy.paging.notifiers:
        events = ", ".join(event.value for event in notifier.wanted_events)
        click.echo(f"Notifier {notifier.name}: {notifier.kind} ({events})")
