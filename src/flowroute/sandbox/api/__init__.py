"""Flowroute's public API as the sandbox serves it: one router per resource."""
