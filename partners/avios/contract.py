"""The Avios Credit Currency contract: request and response shapes, validation, error codes.

POST {base}/{version}/programmes/{programme}/accounts/{account}/credit-transaction-requests
?api_key=KEY with a JSON body (description, monetaryAmount, externalTransactionIdentifier,
externalTransactionDate, externalSource, type COLLECTION, person.name); enumerations upper
case. Success answers identifier, dateMade and the echoed fields; an error answers
{code, businessMessage, developerMessage, developerLink, childError[]}, HTTP 400.

One module for the three users of the contract: the connector builds requests and reads
answers with it, the sandbox programme and our inbound door validate requests and write
answers with it, so the three can never disagree on the format.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

DEVELOPER_LINK = "https://developer.iagloyalty.com/docs"
CURRENCY_CODE = "AVIOS"
COLLECTION = "COLLECTION"
MAX_AMOUNT = 999_999
MAX_AGE_YEARS = 10
HOUSEHOLD = "HOUSEHOLD"

# Error codes ---------------------------------------------------------------------------------

REQUEST_INVALID = "REQUEST_INVALID"
DATA_INVALID = "DATA_INVALID"
PROGRAMME_INVALID = "PROGRAMME_INVALID"
ACCOUNT_INVALID = "ACCOUNT_INVALID"
ACCOUNT_NOT_AUTHORISED = "ACCOUNT_NOT_AUTHORISED"
DUPLICATE_TRANSACTION = "DUPLICATE_TRANSACTION"
PROGRAMME_NOT_SUPPORTED = "PROGRAMME_NOT_SUPPORTED"
INVALID_PROMOTER_CODE = "INVALID_PROMOTER_CODE"
MEMBERSHIP_NUMBER_NAME_MISMATCH = "MEMBERSHIP_NUMBER_NAME_MISMATCH"
MEMBERSHIP_NUMBER_SURNAME_MISMATCH = "MEMBERSHIP_NUMBER_SURNAME_MISMATCH"

MESSAGES = {
    REQUEST_INVALID: "Request Invalid",
    DATA_INVALID: "Request element does not follow the request contract",
    PROGRAMME_INVALID: "Programme information does not exist",
    ACCOUNT_INVALID: "Account information does not exist",
    ACCOUNT_NOT_AUTHORISED: "The account is cancelled, deceased or fraud",
    DUPLICATE_TRANSACTION: "Transaction with the same amount, description and date exists",
    PROGRAMME_NOT_SUPPORTED: "Programme not supported",
    INVALID_PROMOTER_CODE: "Invalid external source code",
    MEMBERSHIP_NUMBER_NAME_MISMATCH: "The name does not match the membership number",
    MEMBERSHIP_NUMBER_SURNAME_MISMATCH: "The surname does not match the membership number",
}
# Codes that come as a child of REQUEST_INVALID; the two mismatches are top-level codes.
_CHILD_CODES = frozenset(MESSAGES) - {
    REQUEST_INVALID,
    MEMBERSHIP_NUMBER_NAME_MISMATCH,
    MEMBERSHIP_NUMBER_SURNAME_MISMATCH,
}
# Final answers: the credit will never be accepted, so the member is refunded at once.
BUSINESS_REJECTIONS = frozenset(
    {
        ACCOUNT_INVALID,
        ACCOUNT_NOT_AUTHORISED,
        MEMBERSHIP_NUMBER_NAME_MISMATCH,
        MEMBERSHIP_NUMBER_SURNAME_MISMATCH,
        PROGRAMME_INVALID,
        PROGRAMME_NOT_SUPPORTED,
        INVALID_PROMOTER_CODE,
        DATA_INVALID,
    }
)

_REFERENCE = re.compile(r"^[A-Za-z0-9&.\-]+$")
_NAME = re.compile(r"^[A-Za-z' \-]+$")
_ACCOUNT = re.compile(r"^[0-9]{1,24}$")
# Our inbound door's accounts are our membership ids, which may hold letters (M100001).
MEMBERSHIP_ID = re.compile(r"^[A-Za-z0-9]{1,24}$")
_VERSION = re.compile(r"^[A-Za-z0-9]+$")
_PRODUCT_TYPES = frozenset({"FLIGHT", "HOTEL", "CAR HIRE", "CAR_HIRE", "OTHER"})


@dataclass
class ContractError(Exception):
    """An error answer: `code` at the top, `children` for REQUEST_INVALID's details."""

    code: str
    children: list[dict] = field(default_factory=list)
    developer_message: str = ""
    status: int = 400

    def body(self) -> dict:
        return {
            "code": self.code,
            "businessMessage": MESSAGES.get(self.code, self.code),
            "developerMessage": self.developer_message or MESSAGES.get(self.code, self.code),
            "developerLink": DEVELOPER_LINK,
            "childError": self.children,
        }

    @property
    def business_code(self) -> str:
        """The specific code: the first child's under REQUEST_INVALID, else the top one."""
        if self.code == REQUEST_INVALID and self.children:
            return self.children[0]["code"]
        return self.code


def child(code: str, path: str | None = None, message: str = "") -> dict:
    entry = {
        "code": code,
        "businessMessage": MESSAGES.get(code, code),
        "developerMessage": message or MESSAGES.get(code, code),
        "developerLink": DEVELOPER_LINK,
    }
    if path:
        entry["path"] = path
    return entry


def error(code: str, message: str = "", path: str | None = None) -> ContractError:
    """The error answer for `code`, shaped as the seed shows it."""
    if code in _CHILD_CODES:
        return ContractError(REQUEST_INVALID, [child(code, path, message)], message)
    return ContractError(code, [], message)


# Requests --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditRequest:
    """A valid credit request, parsed."""

    description: str
    amount: int
    currency_code: str
    external_transaction_identifier: str
    external_transaction_date: dt.datetime
    external_transaction_date_text: str
    external_source: str
    family_name: str
    first_name: str
    optional: dict[str, Any]

    @property
    def duplicate_key(self) -> tuple[int, str, str]:
        """The programme's duplicate rule: same amount, description and date."""
        return (self.amount, self.description, self.external_transaction_date_text)


def credit_path(*, version: str, programme: str, account: str) -> str:
    return f"/{version}/programmes/{programme}/accounts/{account}/credit-transaction-requests"


def iso_utc(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a Z, as the seed's dates are written."""
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def credit_body(
    *,
    description: str,
    amount: int,
    external_transaction_identifier: str,
    external_transaction_date: str,
    external_source: str,
    family_name: str,
    first_name: str = "",
) -> dict:
    """The JSON body of a credit request."""
    name = {"familyName": family_name}
    if first_name:
        name["firstName"] = first_name
    return {
        "description": description,
        "monetaryAmount": {"amount": str(amount), "currency": {"currencyCode": CURRENCY_CODE}},
        "externalTransactionIdentifier": external_transaction_identifier,
        "externalTransactionDate": external_transaction_date,
        "externalSource": external_source,
        "type": COLLECTION,
        "person": {"name": name},
    }


def check_path(*, version: str, account: str, account_format: re.Pattern = _ACCOUNT) -> None:
    """The URI parameters' formats: the version alphanumeric, the account 1-24 digits (or
    `account_format`)."""
    if not _VERSION.match(version or ""):
        raise error(DATA_INVALID, "The version must be alphanumeric.", "version")
    if not account_format.match(account or ""):
        what = "digits" if account_format is _ACCOUNT else "letters or digits"
        raise error(
            DATA_INVALID, f"The account identifier is 1 to 24 {what}.", "account-identifier"
        )


def _text(
    body: dict, path: str, problems: list, *, required=True, max_length=None, pattern=None
) -> str:
    value: Any = body
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if value is None or value == "":
        if required:
            problems.append(child(DATA_INVALID, path, f"{path} is required."))
        return ""
    if not isinstance(value, str):
        problems.append(child(DATA_INVALID, path, f"{path} must be a string."))
        return ""
    if max_length is not None and len(value) > max_length:
        problems.append(child(DATA_INVALID, path, f"{path} is at most {max_length} characters."))
    elif pattern is not None and not pattern.match(value):
        problems.append(child(DATA_INVALID, path, f"{path} has characters it may not hold."))
    return value


def _years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def _date(text: str, path: str, problems: list, now: dt.datetime) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        problems.append(child(DATA_INVALID, path, f"{path} must be an ISO 8601 date."))
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    if moment > now:
        problems.append(child(DATA_INVALID, path, f"{path} may not be in the future."))
    elif moment < _years_before(now, MAX_AGE_YEARS):
        problems.append(child(DATA_INVALID, path, f"{path} may be at most 10 years old."))
    return moment


def parse_credit(
    body: Any, *, now: dt.datetime, max_amount: int = MAX_AMOUNT, currency_codes=(CURRENCY_CODE,)
) -> CreditRequest:
    """Validate a credit request body; raise REQUEST_INVALID with a DATA_INVALID child for
    every element at fault."""
    if not isinstance(body, dict):
        raise error(DATA_INVALID, "The body must be a JSON object.")
    problems: list[dict] = []
    description = _text(body, "description", problems)
    raw_amount = (
        (body.get("monetaryAmount") or {}).get("amount")
        if isinstance(body.get("monetaryAmount"), dict)
        else None
    )
    amount = 0
    if isinstance(raw_amount, bool) or raw_amount is None:
        problems.append(child(DATA_INVALID, "monetaryAmount.amount", "The amount is required."))
    else:
        text = str(raw_amount)
        if not text.isdigit() or len(text) > 6 or int(text) < 1:
            problems.append(
                child(DATA_INVALID, "monetaryAmount.amount", "The amount is 1 to 6 digits.")
            )
        elif int(text) > min(max_amount, MAX_AMOUNT):
            problems.append(
                child(
                    DATA_INVALID,
                    "monetaryAmount.amount",
                    f"The amount is at most {min(max_amount, MAX_AMOUNT)}.",
                )
            )
        else:
            amount = int(text)
    currency_code = _text(body, "monetaryAmount.currency.currencyCode", problems)
    if currency_code and currency_code not in currency_codes:
        problems.append(
            child(
                DATA_INVALID,
                "monetaryAmount.currency.currencyCode",
                f"currencyCode must be {' or '.join(currency_codes)}.",
            )
        )
    ext_id = _text(
        body, "externalTransactionIdentifier", problems, max_length=20, pattern=_REFERENCE
    )
    date_text = _text(body, "externalTransactionDate", problems)
    moment = _date(date_text, "externalTransactionDate", problems, now)
    source = _text(body, "externalSource", problems, max_length=10, pattern=_REFERENCE)
    kind = _text(body, "type", problems)
    if kind and kind != COLLECTION:
        problems.append(child(DATA_INVALID, "type", "type must be COLLECTION (upper case)."))
    family = _text(body, "person.name.familyName", problems, max_length=40, pattern=_NAME)
    first = _text(
        body, "person.name.firstName", problems, required=False, max_length=25, pattern=_NAME
    )
    optional = {}
    for path, limit, pattern in (
        ("externalReferenceIdentifier", 10, _REFERENCE),
        ("externalReferenceDescription", 62, _REFERENCE),
        ("externalPartnerIdentifier", 3, re.compile(r"^[A-Za-z0-9 ]+$")),
    ):
        value = _text(body, path, problems, required=False, max_length=limit, pattern=pattern)
        if value:
            optional[path] = value
    products = body.get("productSummary")
    if products is not None:
        if not isinstance(products, list):
            problems.append(child(DATA_INVALID, "productSummary", "productSummary is a list."))
        else:
            for index, product in enumerate(products):
                where = f"productSummary[{index}]"
                if not isinstance(product, dict) or not product.get("productInstanceIdentifier"):
                    problems.append(
                        child(DATA_INVALID, f"{where}.productInstanceIdentifier", "Required.")
                    )
                elif product.get("productTypeSummary") not in _PRODUCT_TYPES:
                    problems.append(
                        child(
                            DATA_INVALID,
                            f"{where}.productTypeSummary",
                            "One of FLIGHT, HOTEL, CAR HIRE, OTHER (upper case).",
                        )
                    )
            optional["productSummary"] = products
    if problems:
        raise ContractError(REQUEST_INVALID, problems, "The request does not follow the contract.")
    return CreditRequest(
        description=description,
        amount=amount,
        currency_code=currency_code,
        external_transaction_identifier=ext_id,
        external_transaction_date=moment,
        external_transaction_date_text=date_text,
        external_source=source,
        family_name=family,
        first_name=first,
        optional=optional,
    )


def names_match(*, stored_family: str, sent_family: str) -> bool:
    """Family names compare without case or surrounding space; HOUSEHOLD credits a household
    account whatever the merged member's surname."""
    sent = sent_family.strip().upper()
    return sent == HOUSEHOLD or sent == stored_family.strip().upper()


# Responses -------------------------------------------------------------------------------------


def success_body(*, identifier: str, date_made: dt.datetime, request: CreditRequest) -> dict:
    """The answer to an accepted credit: identifier, dateMade and the echoed fields."""
    return {
        "identifier": identifier,
        "dateMade": iso_utc(date_made),
        "description": request.description,
        "monetaryAmount": {
            "amount": str(request.amount),
            "formattedAmount": f"{request.amount}",
            "currency": {"currencyCode": request.currency_code},
        },
        "externalTransactionIdentifier": request.external_transaction_identifier,
        "externalTransactionDate": request.external_transaction_date_text,
        "externalSource": request.external_source,
        "type": COLLECTION,
        **{
            key: value
            for key, value in request.optional.items()
            if key in ("externalReferenceIdentifier", "externalReferenceDescription")
            or key == "externalPartnerIdentifier"
        },
    }


def read_error(status: int, body: Any) -> ContractError:
    """An error answer read back by a client (the connector)."""
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        return ContractError(f"HTTP_{status}", [], "", status)
    children = [c for c in body.get("childError") or [] if isinstance(c, dict) and "code" in c]
    return ContractError(body["code"], children, str(body.get("developerMessage", "")), status)
