"""Gift-card models: the catalogue (brands, denominations, prices) and the custom code inventory."""

from giftcards.models.catalogue import (
    BarcodeFormat,
    DenominationType,
    GiftCard,
    GiftCardDenomination,
    GiftCardPrice,
    GiftCardPriceType,
    GiftCardType,
    Provider,
)
from giftcards.models.codes import (
    Channel,
    CodeStatus,
    GiftCardCode,
    GiftCardCodeImport,
    GiftCardRedemption,
    ImportStatus,
    IssueKind,
    RedemptionStatus,
)

__all__ = [
    "BarcodeFormat",
    "Channel",
    "CodeStatus",
    "DenominationType",
    "GiftCard",
    "GiftCardCode",
    "GiftCardCodeImport",
    "GiftCardDenomination",
    "GiftCardPrice",
    "GiftCardPriceType",
    "GiftCardRedemption",
    "GiftCardType",
    "ImportStatus",
    "IssueKind",
    "Provider",
    "RedemptionStatus",
]
