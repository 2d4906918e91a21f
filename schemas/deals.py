"""Deals: contracts, MOUs, investments and agreements, with exact money values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import Meta

from schemas.common import Citation, CitationIn, Id, Precision, Sector, check_dates
from schemas.facets import Facets


class DealKind(StrEnum):
    EXPORT_CONTRACT = "export_contract"
    IMPORT_CONTRACT = "import_contract"
    MOU = "mou"
    INVESTMENT = "investment"
    JOINT_VENTURE = "joint_venture"
    TRADE_AGREEMENT = "trade_agreement"
    LOAN = "loan"
    PROCUREMENT = "procurement"
    LICENCE = "licence"
    OTHER = "other"


class DealStatus(StrEnum):
    ANNOUNCED = "announced"
    SIGNED = "signed"
    IN_FORCE = "in_force"
    COMPLETED = "completed"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class ValueBasis(StrEnum):
    """What a figure measures: money that changed hands, a goal, a cap or a guess."""

    ACTUAL_TOTAL = "actual_total"
    TARGET = "target"
    CEILING = "ceiling"
    ESTIMATE = "estimate"


class Qualifier(StrEnum):
    EXACT = "exact"
    APPROXIMATELY = "approximately"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class ValuePeriod(StrEnum):
    TOTAL = "total"
    ANNUAL = "annual"


class UsdMethod(StrEnum):
    """`reported`: the source's own USD figure; `ecb`: converted at the ECB reference rate."""

    REPORTED = "reported"
    ECB = "ecb"


class PartyRole(StrEnum):
    EXPORTER = "exporter"
    IMPORTER = "importer"
    BUYER = "buyer"
    SELLER = "seller"
    INVESTOR = "investor"
    RECIPIENT = "recipient"
    PARTNER = "partner"
    LENDER = "lender"
    BORROWER = "borrower"


class DealValue(msgspec.Struct, kw_only=True):
    """A deal's money: the reported amount and currency, and its value in US dollars."""

    amount: Decimal
    currency: str
    text: str | None
    basis: ValueBasis
    qualifier: Qualifier
    period: ValuePeriod
    horizon_years: Decimal | None
    usd: Decimal | None
    usd_method: UsdMethod | None
    usd_rate: Decimal | None
    usd_rate_date: dt.date | None
    usd_note: str | None


class Party(msgspec.Struct, kw_only=True):
    role: PartyRole
    country: str | None
    actor_id: str | None
    actor_name: str | None


class DealOut(msgspec.Struct, kw_only=True):
    id: str
    kind: DealKind
    title: str
    summary: str
    status: DealStatus
    signed_on: dt.date
    date_precision: Precision
    date_inferred: bool
    date_note: str | None
    count: int
    value: DealValue | None
    event_id: str | None
    part_of: str | None
    sectors: list[Sector]
    parties: list[Party]
    sources: list[Citation]
    created_at: dt.datetime
    updated_at: dt.datetime
    revision: int


class DealPage(msgspec.Struct, kw_only=True):
    items: list[DealOut]
    next: str | None = None
    # Present only when the request asks for `facet`s; counted over every match, not this page.
    facets: Facets | msgspec.UnsetType = msgspec.UNSET
    # Facets asked for but not counted within the request's time budget (FACET_BUDGET_MS).
    facets_timed_out: list[str] | msgspec.UnsetType = msgspec.UNSET


class PartyIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    role: PartyRole
    country: str | None = None
    actor_id: Id | None = None


class DealValueIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """Money as reported; decimals are checked in __post_init__ (msgspec bounds only numbers)."""

    amount: Decimal
    currency: Annotated[str, Meta(pattern=r"^[A-Z]{3}$")]
    text: Annotated[str, Meta(max_length=500)] | None = None
    basis: ValueBasis = ValueBasis.ACTUAL_TOTAL
    qualifier: Qualifier = Qualifier.EXACT
    period: ValuePeriod = ValuePeriod.TOTAL
    horizon_years: Decimal | None = None
    usd: Decimal | None = None

    def __post_init__(self) -> None:
        if not self.amount.is_finite() or self.amount < 0:
            raise ValueError("amount must be a non-negative decimal")
        if self.usd is not None and (not self.usd.is_finite() or self.usd < 0):
            raise ValueError("usd must be a non-negative decimal")
        if self.horizon_years is not None and (not self.horizon_years.is_finite() or self.horizon_years <= 0):
            raise ValueError("horizon_years must be positive")


class DealBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What a client sends to create one; the service assigns the id."""

    kind: DealKind
    title: Annotated[str, Meta(min_length=1, max_length=300)]
    summary: Annotated[str, Meta(max_length=5000)] = ""
    status: DealStatus = DealStatus.SIGNED
    signed_on: dt.date
    date_precision: Precision = Precision.DAY
    date_inferred: bool = False
    date_note: Annotated[str, Meta(max_length=1000)] | None = None
    count: Annotated[int, Meta(ge=1)] = 1
    value: DealValueIn | None = None
    event_id: Id | None = None
    part_of: Id | None = None
    sectors: list[Sector] = []
    parties: Annotated[list[PartyIn], Meta(min_length=1)]
    sources: Annotated[list[CitationIn], Meta(min_length=1)]

    def __post_init__(self) -> None:
        check_dates(self, "signed_on")


class DealIn(DealBody, kw_only=True):
    """A full record with its id, as imported, exported and seeded."""

    id: Id
