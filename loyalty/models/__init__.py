"""Core domain models: currencies and tiers, partners and partnerships, members, accounts, ledger
transactions, exchanges and their forwarding records, FX rates, earning rules, cohorts, tier
history, the release schedule, redemption prices, points expirations, CSV exports."""

from loyalty.models.accounts import Account
from loyalty.models.cohorts import (
    Cohort,
    CohortChange,
    CohortChangeAction,
    CohortRuleSetting,
    CohortStatus,
)
from loyalty.models.currencies import (
    ExpiryPolicy,
    ExpiryRounding,
    LoyaltyCurrency,
    Rounding,
    Tier,
)
from loyalty.models.exchanges import (
    Exchange,
    ExchangeDirection,
    ExchangePartnership,
    LinkedAccount,
    LinkedAccountSource,
)
from loyalty.models.executions import ExecutionStatus, PurchaseRuleExecution
from loyalty.models.expiry import PointsExpiration
from loyalty.models.exports import Export, ExportKind, ExportStatus
from loyalty.models.forwarding import (
    OPEN_FORWARDING_STATUSES,
    AttemptOutcome,
    ForwardingAttempt,
    ForwardingRecord,
    ForwardingStatus,
)
from loyalty.models.fx import UNIT_VALUE_FIELDS, FxRate, PriceType
from loyalty.models.members import Member, MemberGender, MemberStatus, MemberType
from loyalty.models.partners import (
    ExecutionMode,
    Partner,
    Partnership,
    PartnershipType,
    PartnerStatus,
)
from loyalty.models.redemptions import (
    RedemptionCategory,
    RedemptionPartnership,
    RedemptionPrice,
    RedemptionTierPrice,
)
from loyalty.models.releases import PendingRelease
from loyalty.models.rules import (
    ActivityRule,
    PurchaseRule,
    PurchaseRuleMetadataMatch,
    PurchaseRuleTierMultiplier,
    RuleAward,
    RulePeriod,
)
from loyalty.models.tier_history import TierChange
from loyalty.models.transactions import (
    ReasonCode,
    StatusMessageCode,
    Transaction,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)

__all__ = [
    "OPEN_FORWARDING_STATUSES",
    "UNIT_VALUE_FIELDS",
    "Account",
    "ActivityRule",
    "AttemptOutcome",
    "Cohort",
    "CohortChange",
    "CohortChangeAction",
    "CohortRuleSetting",
    "CohortStatus",
    "Exchange",
    "ExchangeDirection",
    "ExchangePartnership",
    "ExecutionMode",
    "ExecutionStatus",
    "ExpiryPolicy",
    "ExpiryRounding",
    "Export",
    "ExportKind",
    "ExportStatus",
    "ForwardingAttempt",
    "ForwardingRecord",
    "ForwardingStatus",
    "FxRate",
    "LinkedAccount",
    "LinkedAccountSource",
    "LoyaltyCurrency",
    "Member",
    "MemberGender",
    "MemberStatus",
    "MemberType",
    "Partner",
    "PartnerStatus",
    "Partnership",
    "PartnershipType",
    "PendingRelease",
    "PointsExpiration",
    "PriceType",
    "PurchaseRule",
    "PurchaseRuleExecution",
    "PurchaseRuleMetadataMatch",
    "PurchaseRuleTierMultiplier",
    "ReasonCode",
    "RedemptionCategory",
    "RedemptionPartnership",
    "RedemptionPrice",
    "RedemptionTierPrice",
    "Rounding",
    "RuleAward",
    "RulePeriod",
    "StatusMessageCode",
    "Tier",
    "TierChange",
    "Transaction",
    "TransactionStatus",
    "TransactionSubType",
    "TransactionType",
]
