"""The framework floor: a bare Bolt-on-FastAPI app whose /incident only acks (run by bench/ack.py).

    python bench/bare_app.py --port 3100 [--sync]   (SLACK_SIGNING_SECRET in the environment)

By default Bolt's async app on FastAPI, its fastest setup, with signature verification on.
process_before_response sends the response as soon as the listener acks, without Bolt's 10 ms polling
for the ack. With --sync, Bolt's synchronous App dispatched on a worker thread, as Firebell ran it
before its edge went async (reported for comparison).
"""

import argparse
import os
import sys

import uvicorn
from fastapi import FastAPI, Request, Response
from slack_bolt import Ack, App
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from starlette.concurrency import run_in_threadpool


async def _authorize(**_: object) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=None, team_id=None, bot_token="xoxb-bare")


def build() -> FastAPI:
    """An /incident listener that only acks, mounted at /slack/events."""
    bolt = AsyncApp(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"], authorize=_authorize, process_before_response=True
    )

    @bolt.command("/incident")
    async def incident(ack: AsyncAck) -> None:
        await ack(text="ok")

    handler = AsyncSlackRequestHandler(bolt)
    api = FastAPI()

    @api.post("/slack/events")
    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return api


def build_sync() -> FastAPI:
    """The same listener on Bolt's synchronous App, dispatched on a worker thread as Firebell once did."""
    bolt = App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id=None, bot_token="xoxb-bare"),
        process_before_response=True,
        token_verification_enabled=False,
    )

    @bolt.command("/incident")
    def incident(ack: Ack) -> None:
        ack(text="ok")

    api = FastAPI()

    @api.post("/slack/events")
    async def events(request: Request) -> Response:
        body = await request.body()
        return to_starlette_response(await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body)))

    return api


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sync", action="store_true", help="Bolt's synchronous App on a worker thread")
    args = parser.parse_args()
    if args.sync:
        sys.setswitchinterval(0.001)  # as `firebell serve` does
    uvicorn.run(build_sync() if args.sync else build(), host="127.0.0.1", port=args.port, log_level="warning")
