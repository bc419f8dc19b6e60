"""A stateful fake of the Slack platform served over HTTP, for tests, demos and the playground.

``SlackEmulator`` holds the workspace and enforces Slack's documented rules, ``EmulatorServer`` serves
its Web API (``server.api_url`` is a WebClient ``base_url``) and Socket Mode WebSockets, ``SlackDriver``
plays Slack towards the app (over HTTP, or over Socket Mode with ``socket_mode=True``).
"""

from .driver import DriverResult, SlackDriver
from .faults import Fault, FaultPlan
from .mentions import mentions
from .models import Call, Channel, Ephemeral, File, Message, ResponsePost, User, View
from .server import AsgiServerThread, EmulatorServer
from .socket_mode import SocketAck, SocketConnection, SocketModeHub
from .state import SlackEmulator

__all__ = [
    "AsgiServerThread",
    "Call",
    "Channel",
    "DriverResult",
    "EmulatorServer",
    "Ephemeral",
    "Fault",
    "FaultPlan",
    "File",
    "Message",
    "ResponsePost",
    "SlackDriver",
    "SlackEmulator",
    "SocketAck",
    "SocketConnection",
    "SocketModeHub",
    "User",
    "View",
    "mentions",
]
