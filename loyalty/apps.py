from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = "Loyalty programme"

    def ready(self) -> None:
        from loyalty import caching, models

        # The reference data the partner API caches per process (see loyalty.caching).
        caching.watch(
            models.LoyaltyCurrency,
            models.Tier,
            models.Partner,
            models.Partnership,
            models.Cohort,
            models.CohortRuleSetting,
            models.PurchaseRule,
            models.PurchaseRuleMetadataMatch,
            models.PurchaseRuleTierMultiplier,
            models.ActivityRule,
            models.RedemptionPartnership,
            models.RedemptionPrice,
            models.RedemptionTierPrice,
        )
