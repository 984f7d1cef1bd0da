"""Channel adapters: each authenticates, normalises and hands messages to the router."""
