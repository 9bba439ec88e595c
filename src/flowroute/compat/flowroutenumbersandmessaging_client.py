"""``FlowroutenumbersandmessagingClient``, where the official SDK has it
(``flowroutenumbersandmessaging.flowroutenumbersandmessaging_client``)."""

from __future__ import annotations

from functools import cached_property

from .._client import Flowroute
from .configuration import FLOWROUTE_API, Configuration
from .controllers import (
    CdrsController,
    CnamsController,
    E911sController,
    MessagesController,
    NumbersController,
    PortingController,
    RoutesController,
)


class FlowroutenumbersandmessagingClient:
    def __init__(
        self, basic_auth_user_name: str | None = None, basic_auth_password: str | None = None
    ) -> None:
        # Arguments first, then Configuration's class attributes, then the environment.
        base_uri = Configuration.base_uri
        self._client = Flowroute(
            access_key=basic_auth_user_name or Configuration.basic_auth_user_name,
            secret_key=basic_auth_password or Configuration.basic_auth_password,
            base_url=None if base_uri == FLOWROUTE_API else base_uri,
        )
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
