"""Pydantic base for every model: JSON:API flattened, unknown attributes kept, type drift tolerated.

Fields are looked up at the top level first and then under ``attributes``, so the same model reads
a JSON:API resource object or a compact/flat body. The flattening is done by pydantic-core's
alias paths (in Rust), which keeps parsing close to the cost of ``json.loads``. Nothing the API
sent is lost: ``.raw``, ``.attributes`` and ``to_dict()`` reach every member, including ones this
SDK does not model yet, by decoding the kept response body on demand.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import (
    AliasChoices,
    AliasGenerator,
    AliasPath,
    BaseModel,
    ConfigDict,
    Field,
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


class _Document:
    """A response body, parsed with ``json.loads`` only if someone asks for the raw JSON."""

    __slots__ = ("_parsed", "content")

    def __init__(self, content: bytes) -> None:
        self.content = content
        self._parsed: dict[str, Any] | None = None

    def parsed(self) -> dict[str, Any]:
        if self._parsed is None:
            self._parsed = json.loads(self.content)
        return self._parsed


class _Origin:
    """Where a model came from: a document and, for list items, the index in ``data``."""

    __slots__ = ("document", "index")

    def __init__(self, document: _Document, index: int | None) -> None:
        self.document = document
        self.index = index

    def resource(self) -> dict[str, Any]:
        data = self.document.parsed().get("data")
        item = data if self.index is None else data[self.index]  # type: ignore[index]
        return item if isinstance(item, dict) else {}


class FlowrouteModel(BaseModel):
    """Base model. ``to_dict()`` gives plain data; ``raw`` the resource object as sent."""

    model_config = ConfigDict(
        extra="ignore",
        populate_by_name=True,
        alias_generator=AliasGenerator(validation_alias=_flat_or_attribute),
    )

    type: str | None = None
    # Filled in by the parsers after validation; the raw JSON is decoded only on demand, which
    # keeps list parsing about as cheap as json.loads while nothing the API sent is lost.
    origin: Any = Field(default=None, exclude=True, repr=False, validation_alias="\0")

    @property
    def raw(self) -> dict[str, Any]:
        """The JSON:API resource object exactly as the API sent it ({} if built by hand)."""
        return self.origin.resource() if isinstance(self.origin, _Origin) else {}

    @property
    def attributes(self) -> dict[str, Any]:
        """Every attribute the API sent, including ones this SDK does not model yet."""
        attributes = self.raw.get("attributes")
        return attributes if isinstance(attributes, dict) else {}

    @property
    def raw_document(self) -> dict[str, Any] | None:
        """The whole response document this object came from (with ``included``, ``links``)."""
        return self.origin.document.parsed() if isinstance(self.origin, _Origin) else None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict: known fields plus any attributes this SDK does not know yet."""
        data = self.model_dump(mode="json", exclude={"type"})
        for key, value in self.attributes.items():
            data.setdefault(key, value)
        return data


class _One(BaseModel, Generic[T]):
    data: T


class _Links(BaseModel):
    next: str | None = None


class _Many(BaseModel, Generic[T]):
    data: list[T]
    links: _Links | None = None


_adapters: dict[tuple[type[BaseModel], type[BaseModel]], TypeAdapter[Any]] = {}


def _adapter(
    envelope: type[_One[Any]] | type[_Many[Any]], model: type[BaseModel]
) -> TypeAdapter[Any]:
    """One validator per envelope and model, built on first use (a plain dict: hot path)."""
    key = (envelope, model)
    adapter = _adapters.get(key)
    if adapter is None:
        adapter = _adapters[key] = TypeAdapter(envelope[model])  # type: ignore[index]
    return adapter


def _attach(items: list[ModelT], content: bytes) -> None:
    document = _Document(content)
    for index, item in enumerate(items):
        item.__dict__["origin"] = _Origin(document, index)


def parse_one(
    model: type[ModelT], overrides: Mapping[str, Any] | None = None
) -> Callable[[httpx2.Response], ModelT]:
    """Parser for ``{"data": {...}}``: the model, with the raw document kept.

    ``overrides`` are fields known from the request (what was sent) that win over the answer's;
    the model is still built by one validation."""

    adapter = _adapter(_One, model)

    def parse(response: httpx2.Response) -> ModelT:
        if overrides is None:
            item: ModelT = adapter.validate_json(response.content).data
        else:
            doc = json.loads(response.content)
            data = doc.get("data") if isinstance(doc, dict) else None
            merged = {**data, **overrides} if isinstance(data, dict) else data
            item = adapter.validate_python({"data": merged}).data
        item.__dict__["origin"] = _Origin(_Document(response.content), None)
        return item

    return parse


def parse_list(model: type[ModelT]) -> Callable[[httpx2.Response], list[ModelT]]:
    """Parser for an unpaginated ``{"data": [...]}``."""

    adapter = _adapter(_Many, model)

    def parse(response: httpx2.Response) -> list[ModelT]:
        items: list[ModelT] = adapter.validate_json(response.content).data
        _attach(items, response.content)
        return items

    return parse


def parse_page(model: type[ModelT]) -> Callable[[bytes], tuple[list[ModelT], str | None]]:
    """Parser for one page: the items and ``links.next`` (absent on the last page)."""

    adapter = _adapter(_Many, model)

    def parse(content: bytes) -> tuple[list[ModelT], str | None]:
        doc = adapter.validate_json(content)
        _attach(doc.data, content)
        return doc.data, doc.links.next if doc.links else None

    return parse


def parse_empty(response: httpx2.Response) -> None:
    """For 204 No Content answers."""
    return None
