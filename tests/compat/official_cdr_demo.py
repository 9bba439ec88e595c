# Flowroute's cdr_demo.py (flowroute-sdk-v3-python), call for call; only its import differs
# (flowroute.compat for flowroutenumbersandmessaging). download_cdr_export answers
# {'filename': ...} as the demo expects (the official one always failed before answering).
import os
import pprint

from flowroute.compat.flowroutenumbersandmessaging_client import (
    FlowroutenumbersandmessagingClient,
)

basic_auth_user_name = os.environ.get("FR_ACCESS_KEY")
basic_auth_password = os.environ.get("FR_SECRET_KEY")

client = FlowroutenumbersandmessagingClient(basic_auth_user_name, basic_auth_password)
numbers_controller = client.numbers
cdrs_controller = client.cdrs
cdr_id = None

print("\n--Create a CDR Export Record")
filters = {
    "start_call_start_time": "2019-01-01 00:00:00",
    "start_call_end_time": "2019-02-01 00:00:00",
    "number_aliases": ["Office 221", "Office 888"],
}
callback_url = "https://myserver.com/cdrs"
result = cdrs_controller.create_cdr_export(filters, callback_url)
pprint.pprint(result)

print("--List CDR Records")
limit = 10
offset = None
result = cdrs_controller.list_cdrs(limit, offset)
pprint.pprint(result)

print("\n--List Completed CDR Exports")
result = cdrs_controller.list_cdrs(limit, offset, "completed")
pprint.pprint(result)
if len(result["data"]):
    cdr_id = result["data"][0]["data"]["id"]

    print(f"\n--List CDR Export Detail {cdr_id}")
    result = cdrs_controller.get_cdr_export_status(cdr_id)
    pprint.pprint(result)

    filename = "temp_cdr_file.csv"
    print(f"\n--Download CDR Export Data {cdr_id} to {filename}")
    result = cdrs_controller.download_cdr_export(cdr_id, filename)
    print("\n--Downloaded CDR Export data to {}".format(result["filename"]))

    fileinfo = cdrs_controller.parse_cdr_export(filename)
    for row in fileinfo:
        print(
            "{} called {} for {} starting at {}".format(
                row["callerid"], row["destination"], row["total_cost"], row["start_time"]
            )
        )
