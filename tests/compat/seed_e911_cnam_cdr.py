# Transcribed from the seed READMEs' E911, CNAM and CDR demos; only the import line differs.
import os
import pprint
import tempfile

import httpx2

from flowroute.compat import FlowroutenumbersandmessagingClient

client = FlowroutenumbersandmessagingClient(
    os.environ["FR_ACCESS_KEY"], os.environ["FR_SECRET_KEY"]
)
base = os.environ["FLOWROUTE_BASE_URL"]
control = httpx2.Client(
    base_url=base + "/_sandbox", auth=(os.environ["FR_ACCESS_KEY"], os.environ["FR_SECRET_KEY"])
)
did = control.post("/seed", json={"numbers": 1}).json()["numbers"][0]

e911s_controller = client.e911s
print("--Validate an Address")
result = e911s_controller.validate_address(
    label="Office Space III",
    first_name="Albus",
    last_name="Rasputin, Jr.",
    street_name="Main St",
    street_number="666",
    city="Seattle",
    state="WA",
    country="US",
    zipcode="98101",
    address_type="Suite",
    address_type_number="333",
)
assert result == ""  # 204
print("--Create and Validate an Address")
result = e911s_controller.create_address(
    label="Office Space III",
    first_name="Albus",
    last_name="Rasputin, Jr.",
    street_name="Main St",
    street_number="666",
    city="Seattle",
    state="WA",
    country="US",
    zipcode="98101",
    address_type="Suite",
    address_type_number="333",
)
record_id = result["data"]["id"]
print("--Update an E911 Address")
result = e911s_controller.update_address(record_id, last_name="Wiley")
assert result["data"]["attributes"]["last_name"] == "Wiley"
print("--Associate")
e911s_controller.associate(record_id, did)
assert e911s_controller.list_dids_for_e911(record_id)["data"][0]["id"] == did
pprint.pprint(e911s_controller.list_e911s(10, 0, "WA"))
e911s_controller.disconnect(did)
e911s_controller.delete_address(record_id)

cnams_controller = client.cnams
print("--Create a CNAM Record")
result = cnams_controller.create_cnam_record("Flowroute Test")
cnam_id = result["data"]["id"]
assert result["data"]["attributes"]["value"] == "FLOWROUTE TEST"
control.post(f"/cnams/{cnam_id}/approve")
pprint.pprint(cnams_controller.list_cnams(is_approved=True))
pprint.pprint(cnams_controller.search_cnams(limit=3, contains="TEST"))
result = cnams_controller.associate_cnam(cnam_id, did)
assert result["data"]["id"] == int(cnam_id)
assert (
    cnams_controller.get_cnam(cnam_id)["data"]["relationships"]["numbers"]["data"][0]["id"] == did
)
cnams_controller.unassociate_cnam(did)
cnams_controller.remove_cnam(cnam_id)

cdrs_controller = client.cdrs
control.post("/calls/generate", json={"count": 500, "start": "2026-01-01", "end": "2026-01-10"})
filters = {
    "start_call_start_time": "2026-01-01 00:00:00",
    "start_call_end_time": "2026-01-05 00:00:00",
}
result = cdrs_controller.create_cdr(filters, None)
cdrexport_id = result["data"]["id"]
control.post("/clock/advance", json={"seconds": 10})
result = cdrs_controller.list_cdr_exports(None, 10, 0)
assert str(result["data"][0]["data"]["id"]) == cdrexport_id  # the official demo's access pattern
status = cdrs_controller.get_cdr_export_status(cdrexport_id)
assert status["data"]["attributes"]["status"] == "completed"
filename = os.path.join(tempfile.mkdtemp(), "cdrs.csv")
cdrs_controller.download_cdr_export(cdrexport_id, filename)
rows = cdrs_controller.parse_cdr_export(filename)
assert len(rows) == status["data"]["attributes"]["num_calls"] and "total_cost" in rows[0]
print("--Check portability")
print(client.porting.checkPortability(["+14252081174", "+12125551219"]))
print("done")
