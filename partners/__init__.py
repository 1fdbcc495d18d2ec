"""Partners, partnerships, API credentials and partner-programme connectors."""
