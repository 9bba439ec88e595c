# Flowroute's e911_demo.py (flowroute-sdk-v3-python), call for call; its import says
# flowroute.compat where the demo says flowroutenumbersandmessaging. One change, marked below:
# the demo shows the details of its author's record 20155; this shows the first listed record.
# The demo's other calls run as written: zip= (the official signature says zipcode=) and
# disconnect(e911_id, did) (the official one takes the number only) both work here.
import os
import pprint

from flowroute.compat.flowroutenumbersandmessaging_client import (
    FlowroutenumbersandmessagingClient,
)

basic_auth_user_name = os.environ.get("FR_ACCESS_KEY")
basic_auth_password = os.environ.get("FR_SECRET_KEY")

client = FlowroutenumbersandmessagingClient(basic_auth_user_name, basic_auth_password)
numbers_controller = client.numbers
e911s_controller = client.e911s

print("--List E911 Records")
limit = 10
offset = None
result = e911s_controller.list_e911s(limit, offset)
pprint.pprint(result)
existing_record_id = result["data"][0]["id"]  # changed: the demo uses its author's 20155

print("--Validate an Address")
result = e911s_controller.validate_address(
    label="Test Address",
    first_name="Chris",
    last_name="Smith",
    street_name="3rd Ave",
    street_number="1182",
    city="Seattle",
    state="WA",
    country="USA",
    zip="98101",
)
pprint.pprint(result)

print("--Get Details for a specific E911 Record")
result = e911s_controller.get_e911(existing_record_id)
pprint.pprint(result)

print("--Create and Validate an Address")
result = e911s_controller.create_address(
    label="E911 Test",
    first_name="Chris",
    last_name="Smith",
    street_name="3rd Ave",
    street_number="1182",
    city="Seattle",
    state="WA",
    country="USA",
    zip="98101",
)
pprint.pprint(result)
record_id = result["data"]["id"]

print("--Update an E911 Address")
result = e911s_controller.update_address(record_id, last_name="Wiley")
pprint.pprint(result)

did_list = numbers_controller.list_account_phone_numbers()
did = did_list["data"][0]["attributes"]["value"]

e911_list = e911s_controller.list_e911s()
e911_id = e911_list["data"][0]["id"]

print("--Associate an E911 Record and a DID")
result = e911s_controller.associate(e911_id, did)
pprint.pprint(result)

print("--List all DIDs associated with an E911 Record")
result = e911s_controller.list_dids_for_e911(e911_id)
pprint.pprint(result)

print("--Un-associate the address")
result = e911s_controller.disconnect(e911_id, did)
pprint.pprint(result)

print("--Delete an E911 Address")
result = e911s_controller.delete_address(e911_id)
pprint.pprint(result)
