"""What every HTTP face of the sandbox shares (the wire API, the control API, the middleware,
a future web page): request parsing with bounds, Flowroute responses, the caller's account."""
