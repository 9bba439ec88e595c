"""Flowroute's wire JSON, rendered from the backend's records: one module per resource, the
only place each resource's shape is written (API responses and webhook bodies alike)."""
