"""Pydantic base for every model: JSON:API flattened, unknown fields kept, type drift tolerated.

Fields are looked up at the top level first and then under ``attributes``, so the same model reads
a JSON:API resource object or a compact/flat body. The flattening is done by pydantic-core's
alias paths (in Rust), which keeps parsing about as cheap as ``json.loads``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from pydantic import (
    AliasChoices,
    AliasGenerator,
    AliasPath,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
)

if TYPE_CHECKING:
    import httpx2

T = TypeVar("T")
ModelT = TypeVar("ModelT", bound="FlowrouteModel")


def _flat_or_attribute(name: str) -> AliasChoices:
    return AliasChoices(name, AliasPath("attributes", name))


def relationship(name: str) -> Any:
    """A field holding the id of a JSON:API relationship (``relationships.<name>.data.id``)."""
    return Field(
        default=None,
        validation_alias=AliasChoices(f"{name}_id", AliasPath("relationships", name, "data", "id")),
    )


def _money(value: Any) -> Any:
    # Flowroute sends amounts as numbers, numeric strings or "$0.0040".
    if isinstance(value, str):
        return value.strip().lstrip("$") or None
    return value


Money = Annotated[float | None, BeforeValidator(_money)]


class FlowrouteModel(BaseModel):
    """Base model. ``to_dict()`` gives plain data; ``raw_document`` the JSON the API sent."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        alias_generator=AliasGenerator(validation_alias=_flat_or_attribute),
    )

    # The JSON:API containers as received, so attributes this SDK does not know yet stay reachable.
    attributes: dict[str, Any] | None = Field(default=None, repr=False, exclude=True)
    relationships: dict[str, Any] | None = Field(default=None, repr=False, exclude=True)

    _content: bytes | None = PrivateAttr(default=None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict: known fields plus any attributes this SDK does not know yet."""
        data = self.model_dump(mode="json", exclude={"type", "links"})
        for key, value in (self.attributes or {}).items():
            data.setdefault(key, value)
        return data

    @property
    def raw_document(self) -> dict[str, Any] | None:
        """The whole response document this object came from (None for list items)."""
        if self._content is None:
            return None
        doc: dict[str, Any] = json.loads(self._content)
        return doc


class _One(BaseModel, Generic[T]):
    data: T


class _Many(BaseModel, Generic[T]):
    data: list[T]
    links: dict[str, Any] | None = None


@cache
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def parse_one(model: type[ModelT]) -> Callable[[httpx2.Response], ModelT]:
    """Parser for ``{"data": {...}}``: the model, with the raw document kept."""

    def parse(response: httpx2.Response) -> ModelT:
        item: ModelT = _adapter(_One[model]).validate_json(response.content).data  # type: ignore[valid-type]
        item._content = response.content
        return item

    return parse


def parse_list(model: type[ModelT]) -> Callable[[httpx2.Response], list[ModelT]]:
    """Parser for an unpaginated ``{"data": [...]}``."""

    def parse(response: httpx2.Response) -> list[ModelT]:
        items: list[ModelT] = _adapter(_Many[model]).validate_json(response.content).data  # type: ignore[valid-type]
        return items

    return parse


def parse_page(model: type[ModelT]) -> Callable[[bytes], tuple[list[ModelT], str | None]]:
    """Parser for one page: the items and ``links.next`` (absent on the last page)."""

    def parse(content: bytes) -> tuple[list[ModelT], str | None]:
        doc = _adapter(_Many[model]).validate_json(content)  # type: ignore[valid-type]
        return doc.data, (doc.links or {}).get("next")

    return parse


def parse_empty(response: httpx2.Response) -> None:
    """For 204 No Content answers."""
    return None
