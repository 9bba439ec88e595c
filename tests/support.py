"""Helpers and sample data the test modules share (test modules never import each other)."""

from __future__ import annotations

# A valid E911 address (Flowroute's own e911_demo.py uses Suite 600 and 700 at this street).
ADDRESS = {
    "label": "HQ",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "street_number": "1218",
    "street_name": "3rd Ave",
    "city": "Seattle",
    "state": "WA",
    "country": "US",
    "zip": "98101",
}
