"""One module per API resource; each class serves the sync and the async client."""
