from django.db import models

from loyalty.ids import PUBLIC_ID_MAX_LENGTH, member_id


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    BLOCKED = "blocked", "Blocked"
    CLOSED = "closed", "Closed"
    DECEASED = "deceased", "Deceased"
    FRAUD = "fraud", "Fraud"


class MemberType(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    COMPANY = "company", "Company"


class MemberGender(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other"


class Member(models.Model):
    """A member of one loyalty currency's programme, individual or company.

    Partners find a member by `loyalty_program_identifiers` (free-form, e.g. {"id": "M123"}); its
    `id` is the membership number, unique per currency and stored apart as `membership_id` so that
    lookups use an index. Only an active member may receive or spend units.
    """

    public_id = models.CharField(
        "member id", max_length=PUBLIC_ID_MAX_LENGTH, unique=True, default=member_id, editable=False
    )
    loyalty_currency = models.ForeignKey(
        "loyalty.LoyaltyCurrency", on_delete=models.PROTECT, related_name="members"
    )
    membership_id = models.CharField(
        max_length=100, help_text="The member's number: loyalty_program_identifiers['id']."
    )
    loyalty_program_identifiers = models.JSONField(default=dict)
    type = models.CharField(
        max_length=16, choices=MemberType.choices, default=MemberType.INDIVIDUAL
    )
    status = models.CharField(
        max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    tier = models.ForeignKey(
        "loyalty.Tier", on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )

    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    gender = models.CharField(max_length=8, choices=MemberGender.choices, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    company_registration_number = models.CharField(max_length=100, blank=True)

    email = models.EmailField(blank=True)
    phone_number = models.CharField(
        max_length=32, blank=True, help_text="E.164, e.g. +443031237300."
    )
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    address_line3 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=32, blank=True)
    country = models.CharField(max_length=3, blank=True, help_text="ISO 3166-1 alpha-3, e.g. USA.")
    bank_accounts = models.JSONField(default=list, blank=True)
    additional_information = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["loyalty_currency", "membership_id"],
                name="member_membership_id_unique_per_currency",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MemberStatus.values), name="member_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=MemberType.values), name="member_type_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(gender__in=[*MemberGender.values, ""]),
                name="member_gender_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(membership_id=""), name="member_membership_id_not_empty"
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="member_email_idx"),
            models.Index(fields=["last_name", "first_name"], name="member_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.display_name}".strip()

    @property
    def display_name(self) -> str:
        if self.type == MemberType.COMPANY:
            return self.company_name
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE
