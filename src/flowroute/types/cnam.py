"""CNAM (caller ID name) records and portability results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, AliasPath, ConfigDict, Field, field_validator

from ._base import FlowrouteModel


class CnamRecord(FlowrouteModel):
    """A caller ID name; usable on numbers once ``is_approved``."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str
    value: str | None = None
    is_approved: bool | None = None
    rejection_reason: str | None = None
    creation_datetime: datetime | None = None
    approval_datetime: datetime | None = None
    number_ids: list[str] = Field(
        default_factory=list,
        validation_alias=AliasChoices("number_ids", AliasPath("relationships", "numbers", "data")),
    )

    @field_validator("number_ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        # relationships.numbers.data is a list of {"type": "number", "id": ...}
        if isinstance(value, list):
            return [item.get("id") if isinstance(item, dict) else item for item in value]
        return value

    @property
    def rejected(self) -> bool:
        return bool(self.rejection_reason)


class CnamAssignment(FlowrouteModel):
    """The 202 answer to (un)assigning a CNAM record: ``id`` is the record (None to unassign)."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str | None = None
    date_created: str | None = None


class Portability(FlowrouteModel):
    """Which numbers could be ported to Flowroute (E.164, with the +)."""

    portable: list[str] = Field(default_factory=list)
    nonportable: list[str] = Field(default_factory=list)
    hypernetwork_enabled: list[str] = Field(default_factory=list)
