"""The partner API's shared conventions: HMAC authentication, idempotency, errors, pagination,
filters and throttling. Every endpoint under /public/v3.0/ builds on `partners.api.views`."""
