"""The framework floor: a bare Bolt-on-FastAPI app whose /incident only acks (run by bench/ack.py).

    python bench/bare_app.py --port 3100   (SLACK_SIGNING_SECRET in the environment)

Bolt's async app on FastAPI, its fastest setup, with signature verification on. process_before_response
sends the response as soon as the listener acks, without Bolt's 10 ms polling for the ack.
"""

import argparse
import os

import uvicorn
from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult


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


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build(), host="127.0.0.1", port=args.port, log_level="warning")
