"""Drop-in for the official Python SDK: change one import and seed scripts keep working.

    from flowroute.compat import FlowroutenumbersandmessagingClient
    client = FlowroutenumbersandmessagingClient(basic_auth_user_name, basic_auth_password)
    numbers_controller = client.numbers

Same controllers, method names and positional arguments; answers are plain dicts shaped like
the API's JSON. Underneath is the new SDK core: per-client credentials (no global
configuration), timeouts, safe retries, the send rate limiter and redacted logging.
``FLOWROUTE_BASE_URL`` points it at a sandbox.
"""

from __future__ import annotations

from functools import cached_property

from .._client import Flowroute
from .controllers import (
    CdrsController,
    CnamsController,
    E911sController,
    MessagesController,
    NumbersController,
    PortingController,
    RoutesController,
)
from .errors import APIException, ErrorException

__all__ = ["APIException", "ErrorException", "FlowroutenumbersandmessagingClient"]


class FlowroutenumbersandmessagingClient:
    def __init__(
        self, basic_auth_user_name: str | None = None, basic_auth_password: str | None = None
    ) -> None:
        self._client = Flowroute(access_key=basic_auth_user_name, secret_key=basic_auth_password)
        self._runner = self._client._runner

    def __repr__(self) -> str:
        return f"FlowroutenumbersandmessagingClient({self._client!r})"

    @cached_property
    def numbers(self) -> NumbersController:
        return NumbersController(self._runner)

    @cached_property
    def routes(self) -> RoutesController:
        return RoutesController(self._runner)

    @cached_property
    def messages(self) -> MessagesController:
        return MessagesController(self._runner)

    @cached_property
    def e911s(self) -> E911sController:
        return E911sController(self._runner)

    @cached_property
    def cnams(self) -> CnamsController:
        return CnamsController(self._runner)

    @cached_property
    def cdrs(self) -> CdrsController:
        return CdrsController(self._runner)

    @cached_property
    def porting(self) -> PortingController:
        return PortingController(self._runner)
