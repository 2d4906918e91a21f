"""Events: who did what to whom, when, coded onto CAMEO and PLOVER."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import Meta

from schemas.common import Citation, CitationIn, Id, Precision, Quantity, Sector, check_dates
from schemas.facets import Facets


class EventType(StrEnum):
    """The controlled vocabulary of event verbs; each maps to one CAMEO code."""

    STATEMENT = "statement"
    SUMMIT = "summit"
    VISIT = "visit"
    NEGOTIATION = "negotiation"
    AGREEMENT_SIGNED = "agreement_signed"
    TRADE_MISSION = "trade_mission"
    ECONOMIC_COOPERATION = "economic_cooperation"
    OPPOSITION = "opposition"
    PROTEST = "protest"
    THREAT = "threat"
    POSTPONEMENT = "postponement"
    CANCELLATION = "cancellation"
    SANCTION = "sanction"
    EXPORT_CONTROL = "export_control"
    BOYCOTT = "boycott"
    MILITARY_DEPLOYMENT = "military_deployment"
    # One per CAMEO root the verbs above leave out: the types of machine-coded (GDELT) events.
    APPEAL = "appeal"
    INTENT_TO_COOPERATE = "intent_to_cooperate"
    CONSULTATION = "consultation"
    DIPLOMATIC_COOPERATION = "diplomatic_cooperation"
    MATERIAL_COOPERATION = "material_cooperation"
    AID = "aid"
    CONCESSION = "concession"
    INVESTIGATION = "investigation"
    DEMAND = "demand"
    DISAPPROVAL = "disapproval"
    REJECTION = "rejection"
    FORCE_POSTURE = "force_posture"
    REDUCED_RELATIONS = "reduced_relations"
    COERCION = "coercion"
    ASSAULT = "assault"
    FIGHTING = "fighting"
    MASS_VIOLENCE = "mass_violence"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    OCCURRED = "occurred"
    ONGOING = "ongoing"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class Role(StrEnum):
    """How a country or actor takes part: `initiator` acts on `target`."""

    INITIATOR = "initiator"
    TARGET = "target"
    HOST = "host"
    PARTICIPANT = "participant"
    AFFECTED = "affected"


class Relation(StrEnum):
    POSTPONES = "postpones"
    RESCHEDULES = "reschedules"
    REPLACES = "replaces"
    RESPONDS_TO = "responds_to"
    PART_OF = "part_of"


class Participant(msgspec.Struct, kw_only=True):
    role: Role
    country: str | None
    actor_id: str | None
    actor_name: str | None


class Coverage(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """How widely the news covered a machine-coded event (GDELT's counts and tone)."""

    mentions: Annotated[int, Meta(ge=0)]
    sources: Annotated[int, Meta(ge=0)]
    articles: Annotated[int, Meta(ge=0)]
    avg_tone: Annotated[float, Meta(ge=-100, le=100)]


Latitude = Annotated[float, Meta(ge=-90, le=90)]
Longitude = Annotated[float, Meta(ge=-180, le=180)]
Scheme = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
ExternalIds = dict[Scheme, Annotated[str, Meta(min_length=1, max_length=200)]]


class EventOut(msgspec.Struct, kw_only=True):
    id: str
    type: EventType
    title: str
    summary: str
    status: EventStatus
    ongoing: bool
    start_date: dt.date
    start_precision: Precision
    end_date: dt.date | None
    end_precision: Precision | None
    date_inferred: bool
    date_note: str | None
    location_name: str | None
    location_country: str | None
    related_event_id: str | None
    relation: Relation | None
    cameo_code: str
    cameo_label: str
    goldstein: float | None
    quad_class: int
    plover_type: str | None
    sectors: list[Sector]
    quantities: list[Quantity]
    participants: list[Participant]
    sources: list[Citation]
    deal_ids: list[str]
    # Identifiers in other datasets, e.g. {"gdelt": "1207281093"}.
    external_ids: dict[str, str] = {}
    coverage: Coverage | None = None
    location_lat: float | None = None
    location_lon: float | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    revision: int


class EventPage(msgspec.Struct, kw_only=True):
    items: list[EventOut]
    next: str | None = None
    # Present only when the request asks for `facet`s; counted over every match, not this page.
    facets: Facets | msgspec.UnsetType = msgspec.UNSET
    # Facets asked for but not counted within the request's time budget (FACET_BUDGET_MS).
    facets_timed_out: list[str] | msgspec.UnsetType = msgspec.UNSET


class ParticipantIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    role: Role
    country: str | None = None
    actor_id: Id | None = None


class EventBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What a client sends to create one; the service assigns the id."""

    type: EventType
    title: Annotated[str, Meta(min_length=1, max_length=300)]
    summary: Annotated[str, Meta(max_length=5000)] = ""
    status: EventStatus = EventStatus.OCCURRED
    start_date: dt.date
    start_precision: Precision = Precision.DAY
    end_date: dt.date | None = None
    end_precision: Precision | None = None
    date_inferred: bool = False
    date_note: Annotated[str, Meta(max_length=1000)] | None = None
    location_name: Annotated[str, Meta(max_length=300)] | None = None
    location_country: str | None = None
    related_event_id: Id | None = None
    relation: Relation | None = None
    cameo_code: Annotated[str, Meta(pattern=r"^[0-9]{2,4}$")] | None = None
    sectors: list[Sector] = []
    quantities: list[Quantity] = []
    external_ids: ExternalIds = {}
    coverage: Coverage | None = None
    location_lat: Latitude | None = None
    location_lon: Longitude | None = None
    participants: Annotated[list[ParticipantIn], Meta(min_length=1)]
    sources: Annotated[list[CitationIn], Meta(min_length=1)]

    def __post_init__(self) -> None:
        check_dates(self, "start_date", "end_date")


class EventIn(EventBody, kw_only=True):
    """A full record with its id, as imported, exported and seeded."""

    id: Id
