"""Who may do what with a loyalty currency: the partnership and ownership rules, in one place.

- The currency owner holds every partnership in its own currency and manages everything in it;
  only it creates or updates members and runs cohorts.
- A partner with an enabled partnership of a type acts as that type allows (issuing: accrue the
  currency from its own account; any type: look members up and read their transactions). An
  exchange partnership (loyalty.models.ExchangePartnership) is not one of these: it grants the
  exchanges alone, whose scope loyalty.services.exchanges checks.
- A partner sees only the transactions it created or whose origin or destination it owns
  (loyalty.selectors.visible_to), and changes a pending one only if it created it or
  owns its origin.

Services call these before they look anything up that the caller may not know exists, so a
stranger gets the same 403 for a real and an unknown member. Refusals are domain errors: 403 when
the partner may not act, 404 when it may not even know.
"""

from loyalty import caching
from loyalty.errors import DomainError, Forbidden, NotHosted
from loyalty.models import LoyaltyCurrency, Partner, Partnership, PartnershipType, Transaction
from loyalty.selectors import currency_get


def is_owner(partner: Partner, currency: LoyaltyCurrency) -> bool:
    return currency.owner_id == partner.pk


def enabled_partnerships(partner: Partner, currency: LoyaltyCurrency) -> tuple[Partnership, ...]:
    """The partner's enabled partnerships in the currency (cached per process, see
    loyalty.caching: a partnership disabled in the admin stops the very next request)."""
    return caching.cached(
        "partnerships",
        (partner.pk, currency.pk),
        lambda: tuple(
            Partnership.objects.filter(partner=partner, loyalty_currency=currency, enabled=True)
        ),
    )


def has_partnership(partner: Partner, currency: LoyaltyCurrency, *types: str) -> bool:
    """An enabled partnership of one of `types` (any type when none is given)."""
    if is_owner(partner, currency):
        return True
    return any(not types or row.type in types for row in enabled_partnerships(partner, currency))


def require_owner(partner: Partner, currency: LoyaltyCurrency, *, action: str) -> None:
    if not is_owner(partner, currency):
        raise Forbidden(
            f"Only the owner of {currency.code} can {action}.", field="loyalty_currency"
        )


def require_partnership(partner: Partner, currency: LoyaltyCurrency, *types: str) -> None:
    if not has_partnership(partner, currency, *types):
        kinds = " or ".join(PartnershipType(t).label.lower() for t in types) or "any"
        raise Forbidden(
            f"You have no {kinds} partnership with {currency.code}.", field="loyalty_currency"
        )


def require_currency_owner(partner: Partner) -> None:
    """Cohorts are a currency owner's: anyone else is refused every cohort operation."""
    if not LoyaltyCurrency.objects.filter(owner=partner).exists():
        raise Forbidden("Only loyalty currency owners have cohorts.")


def require_may_change(partner: Partner, tx: Transaction) -> None:
    """A pending transaction is changed by its creator or the owner of its origin account."""
    if tx.created_by_partner_id != partner.pk and tx.origin_account.partner_id != partner.pk:
        raise Forbidden(
            "Only the transaction's creator or the owner of its origin account can change it."
        )


def managed_currency(partner: Partner, code: str | None) -> LoyaltyCurrency:
    """The hosted currency whose members the caller manages: the one it owns, or, when it owns
    several, the one named by `code` (which the contract's member requests do not carry)."""
    if code is not None:
        currency = currency_get(code=code)
        require_owner(partner, currency, action="create or update its members")
    else:
        owned = list(LoyaltyCurrency.objects.filter(owner=partner)[:2])
        if not owned:
            raise Forbidden("Only the owner of a loyalty currency can create or update members.")
        if len(owned) > 1:
            raise DomainError(
                "You own several loyalty currencies: say which one in loyalty_currency.",
                field="loyalty_currency",
                code="required",
            )
        currency = owned[0]
    if not currency.is_hosted:
        raise NotHosted(f"The members of {currency.code} are kept by its own programme, not here.")
    return currency
