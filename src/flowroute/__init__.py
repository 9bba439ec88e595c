"""flowroute-sdk: a typed sync + async client for the Flowroute API.

>>> from flowroute import Flowroute
>>> client = Flowroute()  # FLOWROUTE_ACCESS_KEY / FLOWROUTE_SECRET_KEY
>>> for number in client.numbers.list():
...     print(number.value, number.alias)

Importing this package stays light: no pydantic models, web framework or CLI libraries load
until a resource is first used.
"""

from typing import TYPE_CHECKING, Any

from ._client import AsyncFlowroute, Flowroute
from ._core.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ErrorDetail,
    ExportFailedError,
    ExportWaitTimeout,
    FlowrouteError,
    IndeterminateResultError,
    InternalServerError,
    InvalidRequestError,
    MethodNotAllowedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnexpectedResponseError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
)
from ._core.options import NOT_GIVEN, NotGiven, RequestOptions
from ._core.ratelimit import RateLimit

__version__ = "0.1.0"

if TYPE_CHECKING:
    from ._core.pagination import AsyncPager, Page, SyncPager
    from ._core.raw import RawResponse
    from .webhooks import WebhookError


def __getattr__(name: str) -> Any:
    # Pagination types load with the first resource; importing them here would slow cold start.
    if name in ("AsyncPager", "Page", "SyncPager"):
        from ._core import pagination

        return getattr(pagination, name)
    if name == "RawResponse":
        from ._core.raw import RawResponse

        return RawResponse
    if name == "WebhookError":  # defined with the webhook models (pydantic): loaded on demand
        from .webhooks import WebhookError

        return WebhookError
    raise AttributeError(f"module 'flowroute' has no attribute {name!r}")


__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncFlowroute",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ErrorDetail",
    "ExportFailedError",
    "ExportWaitTimeout",
    "Flowroute",
    "FlowrouteError",
    "IndeterminateResultError",
    "InternalServerError",
    "InvalidRequestError",
    "MethodNotAllowedError",
    "NotFoundError",
    "NotGiven",
    "Page",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RawResponse",
    "RequestOptions",
    "SyncPager",
    "UnexpectedResponseError",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "WebhookError",
    "__version__",
]
