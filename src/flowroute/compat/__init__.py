"""Drop-in for the official Python SDK: change one import and seed scripts keep working.

    from flowroute.compat import FlowroutenumbersandmessagingClient
    client = FlowroutenumbersandmessagingClient(basic_auth_user_name, basic_auth_password)
    numbers_controller = client.numbers

The official module paths exist under ``flowroute.compat`` too, so its demos' imports change by
their prefix only: ``flowroutenumbersandmessaging.configuration`` is
``flowroute.compat.configuration``, and ``...flowroutenumbersandmessaging_client`` likewise.

Same controllers, method names and positional arguments; answers are plain dicts shaped like
the API's JSON. Underneath is the new SDK core: per-client credentials (no global
configuration), timeouts, safe retries, the send rate limiter and redacted logging.
``FLOWROUTE_BASE_URL`` points it at a sandbox.
"""

from __future__ import annotations

from .configuration import Configuration
from .errors import APIException, ErrorException
from .flowroutenumbersandmessaging_client import FlowroutenumbersandmessagingClient

__all__ = ["APIException", "Configuration", "ErrorException", "FlowroutenumbersandmessagingClient"]
