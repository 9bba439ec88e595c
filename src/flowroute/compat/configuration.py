"""The official SDK's ``Configuration`` (``flowroutenumbersandmessaging.configuration``).

Its demos pass ``Configuration.basic_auth_user_name``/``basic_auth_password`` to the client and
point it elsewhere with ``Configuration.base_uri``. Here they are read once, when a client is
made, and never written back: each client keeps its own credentials (the official client stored
them here, so a second client took over the first one's account).
"""

from __future__ import annotations

from typing import ClassVar

FLOWROUTE_API = "https://api.flowroute.com"


class Configuration:
    """Class attributes only, as in the official SDK; set them before making a client."""

    # Kept for scripts that read it; this SDK builds query strings itself.
    array_serialization: ClassVar[str] = "indexed"
    # Left at Flowroute's address, FLOWROUTE_BASE_URL (e.g. a sandbox) still applies.
    base_uri: ClassVar[str] = FLOWROUTE_API
    # None: the client's arguments, else FLOWROUTE_ACCESS_KEY/FR_ACCESS_KEY (and *_SECRET_KEY).
    basic_auth_user_name: ClassVar[str | None] = None
    basic_auth_password: ClassVar[str | None] = None
