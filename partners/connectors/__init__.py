"""Connectors to partner programmes: one class per programme API behind one small interface
(partners.connectors.base), and the delivery of the forwarding outbox through them
(partners.connectors.delivery)."""
