"""The `firebell` command: serve, db upgrade."""

import logging
import sys

import click

import firebell
from firebell.config import Settings, load_policy
from firebell.domain.errors import FirebellError


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # slack_sdk logs request bodies at DEBUG; keep it quieter than our own logs.
    logging.getLogger("slack_sdk").setLevel(max(logging.INFO, logging.getLogger().level))
    # APScheduler logs every tick at INFO.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _fail(message: str) -> None:
    click.echo(f"firebell: {message}", err=True)
    sys.exit(2)


@click.group()
@click.version_option(firebell.__version__, prog_name="firebell")
def main() -> None:
    """Firebell: self-hosted, Slack-native incident management."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=3000, show_default=True, type=int, help="Port to listen on.")
@click.option("--socket-mode", is_flag=True, help="Receive Slack traffic over Socket Mode (needs SLACK_APP_TOKEN).")
def serve(host: str, port: int, socket_mode: bool) -> None:
    """Run the service: Slack at POST /slack/events, GET /healthz, the REST API under /api/v1."""
    import uvicorn

    from firebell.api.app import create_app
    from firebell.runtime import build_runtime

    settings = Settings()
    _setup_logging(settings.firebell_log_level)
    try:
        settings.require_slack(socket_mode=socket_mode)
        policy = load_policy(settings.firebell_config)
        runtime = build_runtime(settings, policy)
    except FirebellError as exc:
        _fail(exc.message)
        return
    app = create_app(runtime)
    handler = None
    if socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        assert settings.slack_app_token is not None
        handler = SocketModeHandler(runtime.bolt, settings.slack_app_token.get_secret_value())
        handler.connect()  # type: ignore[no-untyped-call]
        logging.getLogger(__name__).info("connected to Slack over Socket Mode")
    try:
        uvicorn.run(app, host=host, port=port, log_level=settings.firebell_log_level.lower())
    finally:
        if handler is not None:
            handler.close()  # type: ignore[no-untyped-call]


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command()
def upgrade() -> None:
    """Apply every pending migration to DATABASE_URL."""
    from firebell.store.engine import make_engine
    from firebell.store.migrate import current_revision
    from firebell.store.migrate import upgrade as run_upgrade

    settings = Settings()
    _setup_logging(settings.firebell_log_level)
    engine = make_engine(settings.database_url)
    try:
        run_upgrade(engine)
        click.echo(f"Database is at revision {current_revision(engine)}.")
    finally:
        engine.dispose()


@main.group()
def policy() -> None:
    """Policy file commands."""


@policy.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def policy_check(path: str | None) -> None:
    """Validate a policy file (default: $FIREBELL_CONFIG, else ./firebell.yaml, else built-in defaults)."""
    from pathlib import Path

    from firebell.domain.durations import format_policy_duration

    settings = Settings()
    try:
        loaded = load_policy(Path(path) if path else settings.firebell_config)
    except FirebellError as exc:
        _fail(exc.message)
        return
    click.echo("Policy is valid. Severities:")
    for severity in loaded.severities:
        click.echo(f"  {severity.name}: updates every {format_policy_duration(severity.update_interval)}")
