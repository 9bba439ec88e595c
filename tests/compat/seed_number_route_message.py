# Transcribed from the seed README's number/route/message walkthrough (seeds 000/002); only the
# import line differs from the official SDK's demo.
import json
import os
import pprint

from flowroute.compat import FlowroutenumbersandmessagingClient

basic_auth_user_name = os.environ.get("FR_ACCESS_KEY")
basic_auth_password = os.environ.get("FR_SECRET_KEY")
mobile_number = "12065550123"

client = FlowroutenumbersandmessagingClient(basic_auth_user_name, basic_auth_password)
numbers_controller = client.numbers
routes_controller = client.routes
messages_controller = client.messages

print("--List Available Area Codes")
max_setup_cost = 3.25
limit = 3
offset = None
result = numbers_controller.list_available_area_codes(limit, offset, max_setup_cost)
pprint.pprint(result)
assert len(result["data"]) == 3 and result["data"][0]["type"] == "areacode"

print("--List Available Exchange Codes")
result = numbers_controller.list_available_exchange_codes(3, None, None, 347)
assert result["data"][0]["id"].startswith("347")

print("--Search for Purchasable Phone Numbers")
result = numbers_controller.search_for_purchasable_phone_numbers(646, 3, 7, 3, None, None, None)
assert result["links"]["self"].split("?")[1].startswith("contains=3&ends_with=7&starts_with=1646")

print("--Purchase a Phone Number")
purchasable_number = result["data"][0]["id"]
result = numbers_controller.purchase_a_phone_number(purchasable_number)
assert result["data"]["relationships"]["primary_route"]["data"]["id"] == "0"

print("--List Account Phone Numbers")
result = numbers_controller.list_account_phone_numbers(None, None, None, 3, None)
number_id = result["data"][0]["id"]
assert number_id == purchasable_number

print("--List Phone Number Details")
result = numbers_controller.list_phone_number_details(number_id)
pprint.pprint(result)

print("--Create an Inbound Route")
request_body = (
    '{ "data": { "type": "route", "attributes": { "route_type": "host", "value": "'
    + "il775u.sonsofodin.com"
    + '", "alias": "new route", "edge_strategy": "1" } } }'
)
result = routes_controller.create_an_inbound_route(request_body)
new_route_id = result["data"]["id"]

print("--List Inbound Routes")
result = routes_controller.list_inbound_routes(limit)
assert result["data"][0]["id"] == "0"

print("--Update Primary Voice Route")
request_body = '{"data": {"type": "route", "id": "' + str(new_route_id) + '"}}'
result = routes_controller.update_primary_voice_route(number_id, request_body)
assert result == ""  # 204: the official SDK returns ''

print("--Update Failover Voice Route")
result = routes_controller.update_failover_voice_route(number_id, request_body)
details = numbers_controller.list_phone_number_details(number_id)
assert details["data"]["relationships"]["failover_route"]["data"]["id"] == str(new_route_id)

print("--Send a Message")
request_body = (
    '{ "data": { "type": "message", "attributes": { "to": "'
    + str(mobile_number)
    + '", "from": "'
    + str(number_id)
    + '", "body": "hello there", "is_mms": "false" } } }'
)
result = messages_controller.send_a_message(request_body)
message_id = result["data"]["id"]
assert message_id.startswith("mdr2-")

print("--Look Up a Set of Messages")
result = messages_controller.look_up_a_set_of_messages("2017-12-01", None, 10)
assert [m["id"] for m in result["data"]] == [message_id]

print("--Look Up a Message Detail Record")
result = messages_controller.look_up_a_message_detail_record(message_id)
assert result["data"]["attributes"]["body"] == "hello there"

print("--Set callbacks, alias, release")
messages_controller.set_account_level_sms_callback("http://127.0.0.1:9/sms")
numbers_controller.set_did_alias(number_id, "Home")
assert (
    numbers_controller.list_phone_number_details(number_id)["data"]["attributes"]["alias"] == "Home"
)
print(json.dumps(routes_controller.list_edge_strategies()["data"][0]["id"]))

from flowroute.compat import ErrorException  # noqa: E402

try:
    numbers_controller.list_phone_number_details("12065550100")
except ErrorException as e:
    print(e.response_code, e.context.response.raw_body)
    assert e.response_code == 404 and "Could not find" in e.context.response.raw_body
print("done")
