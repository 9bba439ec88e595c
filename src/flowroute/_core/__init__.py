"""Transport, retries, errors and pagination shared by every resource (no heavy imports)."""
