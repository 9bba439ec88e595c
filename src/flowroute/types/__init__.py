"""Typed models returned by the SDK."""

from .number import AreaCode, AvailableNumber, Exchange, Number, Tier
from .route import EdgeStrategy, Route, RouteType

__all__ = [
    "AreaCode",
    "AvailableNumber",
    "EdgeStrategy",
    "Exchange",
    "Number",
    "Route",
    "RouteType",
    "Tier",
]
