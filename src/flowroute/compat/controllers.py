"""The official SDK's controllers, method for method, on top of the new SDK core (its
credentials, retries, rate limiter and redaction). They return plain dicts shaped like the API's
JSON, and ``''`` for empty answers, as the official SDK does."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .._core.call import Download
from .._core.errors import APIStatusError, InvalidRequestError
from .._core.transport import SyncRunner
from ..phone import to_e164
from .errors import APIException, ErrorException, HttpContext

Body = str | dict[str, Any]


def _json(body: Body) -> Any:
    return json.loads(body) if isinstance(body, str) else body


def _params(**params: Any) -> dict[str, str]:
    return {
        k: ("True" if v is True else "False" if v is False else str(v))
        for k, v in params.items()
        if v is not None
    }


class Controller:
    def __init__(self, runner: SyncRunner) -> None:
        self._runner = runner

    def _call(
        self, method: str, path: str, params: dict[str, str] | None = None, body: Any = None
    ) -> Any:
        request = self._runner.build(method, path, params or None, body)
        try:
            response = self._runner.send(request)
        except APIStatusError as error:
            context = HttpContext(error.response)
            kind = ErrorException if error.status_code in (401, 403, 404, 422) else APIException
            raise kind(str(error), context) from error
        if not response.content:
            return ""
        try:
            return response.json()
        except ValueError:
            return response.text


class NumbersController(Controller):
    def list_available_area_codes(
        self,
        limit: int | None = None,
        offset: int | None = None,
        max_setup_cost: float | None = None,
    ) -> Any:
        return self._call(
            "GET",
            "/v2/numbers/available/areacodes",
            _params(limit=limit, offset=offset, max_setup_cost=max_setup_cost),
        )

    def list_available_exchange_codes(
        self,
        limit: int | None = None,
        offset: int | None = None,
        max_setup_cost: float | None = None,
        areacode: int | str | None = None,
    ) -> Any:
        return self._call(
            "GET",
            "/v2/numbers/available/exchanges",
            _params(limit=limit, offset=offset, max_setup_cost=max_setup_cost, areacode=areacode),
        )

    def search_for_purchasable_phone_numbers(
        self,
        starts_with: Any = None,
        contains: Any = None,
        ends_with: Any = None,
        limit: int | None = None,
        offset: int | None = None,
        rate_center: str | None = None,
        state: str | None = None,
    ) -> Any:
        params = _params(
            starts_with=starts_with,
            contains=contains,
            ends_with=ends_with,
            limit=limit,
            offset=offset,
            rate_center=rate_center,
            state=state,
        )
        return self._call("GET", "/v2/numbers/available", params)

    def list_account_phone_numbers(
        self,
        starts_with: Any = None,
        ends_with: Any = None,
        contains: Any = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Any:
        return self._call(
            "GET",
            "/v2/numbers",
            _params(
                starts_with=starts_with,
                ends_with=ends_with,
                contains=contains,
                limit=limit,
                offset=offset,
            ),
        )

    def purchase_a_phone_number(self, id: Any) -> Any:
        return self._call("POST", f"/v2/numbers/{id}")

    def list_phone_number_details(self, id: Any) -> Any:
        return self._call("GET", f"/v2/numbers/{id}")

    def release_a_did(self, id: Any) -> Any:
        return self._call("DELETE", f"/v2/numbers/{id}")

    def set_did_alias(self, id: Any, alias: str) -> Any:
        return self._call("PATCH", f"/v2/numbers/{id}", body={"alias": alias, "type": "number"})

    def set_did_callback(self, id: Any, url: str) -> Any:
        body = {"data": {"attributes": {"callback_url": url}}}
        return self._call("POST", f"/v2/numbers/{id}/relationships/dlr_callback", body=body)


class RoutesController(Controller):
    def create_an_inbound_route(self, body: Body) -> Any:
        return self._call("POST", "/v2/routes", body=_json(body))

    def list_inbound_routes(self, limit: int | None = None, offset: int | None = None) -> Any:
        return self._call("GET", "/v2/routes", _params(limit=limit, offset=offset))

    def update_primary_voice_route(self, number_id: Any, body: Body) -> Any:
        return self._call(
            "PATCH", f"/v2/numbers/{number_id}/relationships/primary_route", body=_json(body)
        )

    def update_failover_voice_route(self, number_id: Any, body: Body) -> Any:
        return self._call(
            "PATCH", f"/v2/numbers/{number_id}/relationships/failover_route", body=_json(body)
        )

    def list_edge_strategies(self) -> Any:
        return self._call("GET", "/v2/routes/edge_strategies")


class MessagesController(Controller):
    def send_a_message(self, body: Body) -> Any:
        return self._call("POST", "/v2.1/messages", body=_json(body))

    def look_up_a_set_of_messages(
        self,
        start_date: Any,
        end_date: Any = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Any:
        return self._call(
            "GET",
            "/v2.1/messages",
            _params(start_date=start_date, end_date=end_date, limit=limit, offset=offset),
        )

    def look_up_a_message_detail_record(self, id: str) -> Any:
        return self._call("GET", f"/v2.1/messages/{id}")

    def _account_callback(self, kind: str, url: str) -> Any:
        return self._call(
            "PUT", f"/v2.1/messages/{kind}", body={"data": {"attributes": {"callback_url": url}}}
        )

    def set_account_level_sms_callback(self, url: str) -> Any:
        return self._account_callback("sms_callback", url)

    def set_account_level_mms_callback(self, url: str) -> Any:
        return self._account_callback("mms_callback", url)

    def set_account_level_dlr_callback(self, url: str) -> Any:
        return self._account_callback("dlr_callback", url)

    def set_did_level_dlr_callback(self, number_id: Any, url: str) -> Any:
        body = {"data": {"attributes": {"callback_url": url}}}
        return self._call("POST", f"/v2/numbers/{number_id}/relationships/dlr_callback", body=body)


def _zipcode(zipcode: Any, zip: Any) -> Any:
    """``zipcode=`` (the official signature) or ``zip=`` (the field's name, which Flowroute's
    e911_demo.py passes)."""
    if zipcode is None and zip is None:
        raise TypeError("missing the ZIP code: pass zipcode= (or zip=)")
    return zip if zipcode is None else zipcode


class E911sController(Controller):
    def list_e911s(
        self, limit: int | None = None, offset: int | None = None, state: str | None = None
    ) -> Any:
        return self._call("GET", "/v2/e911s", _params(limit=limit, offset=offset, state=state))

    def get_e911(self, id: Any) -> Any:
        return self._call("GET", f"/v2/e911s/{id}")

    @staticmethod
    def _address(
        label: str,
        first_name: str,
        last_name: str,
        street_name: str,
        street_number: Any,
        city: str,
        state: str,
        country: str,
        zipcode: Any,
        address_type: str | None,
        address_type_number: str | None,
    ) -> dict[str, Any]:
        attributes = {
            "label": label,
            "first_name": first_name,
            "last_name": last_name,
            "street_name": street_name,
            "street_number": str(street_number),
            "city": city,
            "state": state,
            "country": country,
            "zip": str(zipcode),
        }
        if address_type:  # unlike the official SDK, keep the unit even if its number is missing
            attributes["address_type"] = address_type
            attributes["address_type_number"] = address_type_number or ""
        return {"data": {"type": "e911", "attributes": attributes}}

    def validate_address(
        self,
        label: str,
        first_name: str,
        last_name: str,
        street_name: str,
        street_number: Any,
        city: str,
        state: str,
        country: str,
        zipcode: Any = None,
        address_type: str | None = None,
        address_type_number: str | None = None,
        *,
        zip: Any = None,
    ) -> Any:
        body = self._address(
            label,
            first_name,
            last_name,
            street_name,
            street_number,
            city,
            state,
            country,
            _zipcode(zipcode, zip),
            address_type,
            address_type_number,
        )
        return self._call("POST", "/v2/e911s/validate", body=body)

    def create_address(
        self,
        label: str,
        first_name: str,
        last_name: str,
        street_name: str,
        street_number: Any,
        city: str,
        state: str,
        country: str,
        zipcode: Any = None,
        address_type: str | None = None,
        address_type_number: str | None = None,
        *,
        zip: Any = None,
    ) -> Any:
        body = self._address(
            label,
            first_name,
            last_name,
            street_name,
            street_number,
            city,
            state,
            country,
            _zipcode(zipcode, zip),
            address_type,
            address_type_number,
        )
        return self._call("POST", "/v2/e911s", body=body)

    def update_address(self, e911_id: Any, **changes: Any) -> Any:
        """Sends only the fields you change (the official SDK PATCHed back the whole record)."""
        if "zipcode" in changes:
            changes["zip"] = changes.pop("zipcode")
        body = {
            "data": {
                "type": "e911",
                "attributes": {k: v for k, v in changes.items() if v is not None},
            }
        }
        return self._call("PATCH", f"/v2/e911s/{e911_id}", body=body)

    def delete_address(self, id: Any) -> Any:
        return self._call("DELETE", f"/v2/e911s/{id}")

    def associate(self, e911_id: Any, did: Any) -> Any:
        return self._call("PATCH", f"/v2/numbers/{did}/relationships/e911s/{e911_id}")

    def disconnect(self, did: Any, number: Any = None) -> Any:
        """``disconnect(did)``; also ``disconnect(e911_id, did)`` as Flowroute's e911_demo.py
        calls it (a number has one address, so the id adds nothing)."""
        if number is not None:
            did = number
        return self._call("DELETE", f"/v2/numbers/{did}/relationships/e911s")

    def list_dids_for_e911(self, id: Any) -> Any:
        return self._call("GET", f"/v2/e911s/{id}/relationships/numbers")


class CnamsController(Controller):
    def list_cnams(
        self, limit: int | None = None, offset: int | None = None, is_approved: bool | None = None
    ) -> Any:
        return self._call(
            "GET", "/v2/cnams", _params(limit=limit, offset=offset, is_approved=is_approved)
        )

    def search_cnams(
        self,
        limit: int | None = None,
        offset: int | None = None,
        starts_with: str | None = None,
        contains: str | None = None,
        ends_with: str | None = None,
        is_approved: bool | None = None,
    ) -> Any:
        """cnam_demo.py calls this; the official SDK never had it."""
        params = _params(
            limit=limit,
            offset=offset,
            starts_with=starts_with,
            contains=contains,
            ends_with=ends_with,
            is_approved=is_approved,
        )
        return self._call("GET", "/v2/cnams", params)

    def get_cnam(self, id: Any) -> Any:
        return self._call("GET", f"/v2/cnams/{id}")

    def create_cnam_record(self, value: str) -> Any:
        return self._call("POST", "/v2/cnams", body={"value": value})

    def associate_cnam(self, cnam_id: Any, phone_number: Any) -> Any:
        """The exact number (the official SDK took the first number *containing* the digits)."""
        return self._call("PATCH", f"/v2/numbers/{phone_number}/relationships/cnams/{cnam_id}")

    def unassociate_cnam(self, phone_number: Any) -> Any:
        return self._call("DELETE", f"/v2/numbers/{phone_number}/relationships/cnams")

    def remove_cnam(self, id: Any) -> Any:
        return self._call("DELETE", f"/v2/cnams/{id}")


class CdrsController(Controller):
    def list_cdrs(
        self, limit: int | None = None, offset: int | None = None, status: str | None = None
    ) -> Any:
        return self._call(
            "GET", "/v2/cdrs/exports", _params(limit=limit, offset=offset, status=status)
        )

    def list_cdr_exports(
        self, status: str | None = None, limit: int | None = None, offset: int | None = None
    ) -> Any:
        """The README's name and argument order."""
        return self.list_cdrs(limit, offset, status)

    def create_cdr_export(self, filters: Body, callback_url: str | None = None) -> Any:
        attributes: dict[str, Any] = {"filter_parameters": _json(filters)}
        if callback_url:
            attributes["callback_url"] = callback_url
        return self._call(
            "POST",
            "/v2/cdrs/exports",
            body={"data": {"type": "cdrexport", "attributes": attributes}},
        )

    create_cdr = create_cdr_export  # the README's name

    def get_cdr_export_status(self, id: Any) -> Any:
        return self._call("GET", f"/v2/cdrs/exports/{id}")

    def download_cdr_export(self, id: Any, filename: str) -> dict[str, str]:
        """Works (the official one always failed): streams the export through the SDK's checked
        download and writes the plain CSV to ``filename``, in constant memory. Answers
        ``{'filename': filename}``, as the official SDK does (cdr_demo.py prints it)."""
        url = self.get_cdr_export_status(id)["data"]["attributes"]["download_url"]
        with tempfile.TemporaryDirectory() as folder:
            packed = Path(folder) / "export.csv.gz"
            self._runner.download(Download(url, packed))
            with gzip.open(packed, "rb") as source, open(filename, "wb") as target:
                shutil.copyfileobj(source, target)
        return {"filename": filename}

    def parse_cdr_export(self, filename: str) -> list[dict[str, str]]:
        with open(filename, newline="", encoding="utf-8") as file:
            return list(csv.DictReader(file))


class PortingController(Controller):
    def checkPortability(self, numbers: list[str]) -> Any:
        """Numbers in any common form are sent as E.164, which Flowroute requires (its
        number_route_message_demo.py passes ``14254664444``); anything else goes as given."""
        return self._call(
            "POST", "/v2/portorders/portability", body={"numbers": [_e164(n) for n in numbers]}
        )


def _e164(number: Any) -> Any:
    try:
        return to_e164(number)
    except (InvalidRequestError, TypeError):
        return number
