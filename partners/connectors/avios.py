"""The Avios Credit Currency connector: one credit per forwarding record, in the seed's format
(partners.avios.contract), over plain HTTP with the configured timeouts.

Classification of the answer:
- 200/201: confirmed, with the programme's identifier;
- 400 with a business rejection code (ACCOUNT_INVALID, ACCOUNT_NOT_AUTHORISED, the two name
  mismatches, PROGRAMME_INVALID, PROGRAMME_NOT_SUPPORTED, INVALID_PROMOTER_CODE, DATA_INVALID):
  rejected, final;
- 400 DUPLICATE_TRANSACTION: the programme already has a credit with this amount, description
  and date (which hold our unique reference): a duplicate;
- connection errors, timeouts, 5xx, 429 (with its Retry-After), anything else: transient.
The attempt's message never holds the API key.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode

from loyalty.models import AttemptOutcome, ForwardingRecord
from loyalty.services.forwarding import Answer
from partners.avios import contract
from partners.connectors.base import Connector


class AviosConnector(Connector):
    can_debit = False

    def __init__(self, config):
        super().__init__(config)
        self.api_key = config.api_key  # decrypted once per connector, not per request

    def request_for(self, record: ForwardingRecord) -> tuple[str, bytes]:
        """The URL (with the API key) and the JSON body of the record's credit."""
        config, payload = self.config, record.payload
        path = contract.credit_path(
            version=quote(config.api_version, safe=""),
            programme=quote(config.programme_identifier, safe=""),
            account=quote(str(payload["account"]), safe=""),
        )
        url = f"{config.base_url.rstrip('/')}{path}?{urlencode({'api_key': self.api_key})}"
        body = contract.credit_body(
            description=payload["description"],
            amount=payload["amount"],
            external_transaction_identifier=record.reference,
            external_transaction_date=payload["date"],
            external_source=config.external_source,
            family_name=payload.get("family_name", ""),
            first_name=payload.get("first_name", ""),
        )
        return url, json.dumps(body).encode()

    def credit(self, record: ForwardingRecord) -> Answer:
        url, body = self.request_for(record)
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        timeout = self.config.connect_timeout + self.config.read_timeout
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as failed:
            status, raw = failed.code, failed.read()
            retry_after = failed.headers.get("Retry-After")
            return self._refused(status, raw, elapsed(), retry_after)
        except TimeoutError:
            return Answer(
                AttemptOutcome.TRANSIENT, None, elapsed(), "TIMEOUT", "No answer in time."
            )
        except (urllib.error.URLError, ConnectionError, OSError) as failed:
            reason = getattr(failed, "reason", failed)
            return Answer(
                AttemptOutcome.TRANSIENT, None, elapsed(), "CONNECTION_ERROR", self._clean(reason)
            )
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        identifier = str(answer.get("identifier", "")).strip() if isinstance(answer, dict) else ""
        return Answer(
            AttemptOutcome.CONFIRMED,
            status,
            elapsed(),
            "",
            "Credited." if identifier else "Credited (no identifier returned).",
            identifier,
        )

    def _refused(self, status: int, raw: bytes, latency: int, retry_after) -> Answer:
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        refused = contract.read_error(status, body)
        code = refused.business_code
        message = self._clean(refused.developer_message or contract.MESSAGES.get(code, ""))
        if status == 400 and code == contract.DUPLICATE_TRANSACTION:
            return Answer(AttemptOutcome.DUPLICATE, status, latency, code, message)
        if status == 400 and code in contract.BUSINESS_REJECTIONS:
            return Answer(AttemptOutcome.REJECTED, status, latency, code, message)
        wait = None
        if status == 429 and retry_after:
            try:
                wait = float(retry_after)
            except ValueError:
                wait = None
        return Answer(AttemptOutcome.TRANSIENT, status, latency, code, message, retry_after=wait)

    def _clean(self, text) -> str:
        text = str(text)
        return text.replace(self.api_key, "***") if self.api_key else text
