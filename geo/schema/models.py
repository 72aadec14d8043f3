"""SQLAlchemy 2 models of the whole mission: the one description of the schema.

The migrations create the tables; these models declare the same columns, defaults,
constraints and indexes with the same names, so ``alembic check`` finds nothing to do
(tests/geo/schema/test_drift.py). Lists of codes come from :mod:`geo.domain`.

Geometries are stored in EPSG:4326; metric work transforms to EPSG:32719 (UTM 19S) or uses
``geography``. Each geometry column has one GiST index, declared here (and facilities one
more per kind in operation, for the nearest-establishment look-ups of «Brechas»).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from geo.domain import (
    BIP_STAGES,
    BOUNDARY_KINDS,
    CENSUS_AREA_KINDS,
    CUT_STATES,
    FACILITY_KINDS,
    FUNDING_LINE_SOURCES,
    FUNDING_STAGES,
    INITIATIVE_KINDS,
    LINK_METHODS,
    NEED_KINDS,
    NEED_ORIGINS,
    NEED_STATES,
    PROGRESS_SOURCES,
    REFERENCE_LAYERS,
    ROLES,
    SCOPES,
    SECTORS,
    STATUSES,
    TECHNICAL_RESULTS,
    TERRITORY_KINDS,
    WORKSHOP_STATES,
)

log = logging.getLogger(__name__)

SRID = 4326

#: The names PostgreSQL gives unnamed constraints, which the first migration relied on.
NAMING_CONVENTION = {
    "pk": "%(table_name)s_pkey",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
}


def _geometry(kind: str = "GEOMETRY") -> Geometry:
    # spatial_index=False: each GiST index is declared once, by name, in __table_args__.
    return Geometry(geometry_type=kind, srid=SRID, spatial_index=False)


def _gist(table: str) -> Index:
    """The GiST index of ``table.geom``."""
    return Index(f"gix_{table}_geom", "geom", postgresql_using="gist")


def _check(table: str, column: str, condition: str) -> CheckConstraint:
    """A CHECK on one column, named as PostgreSQL names a column's check."""
    return CheckConstraint(condition, name=f"{table}_{column}_check")


def _one_of(table: str, column: str, codes: Iterable[str]) -> CheckConstraint:
    """A CHECK that ``column`` holds one of ``codes`` (a list of :mod:`geo.domain`)."""
    listed = ", ".join(f"'{code}'" for code in codes)
    return _check(table, column, f"{column} IN ({listed})")


def _valid_geometry(table: str, *, nullable: bool = True) -> CheckConstraint:
    """A CHECK that the geometry is valid (or missing, when it may be)."""
    condition = "geom IS NULL OR ST_IsValid(geom)" if nullable else "ST_IsValid(geom)"
    return _check(table, "geom", condition)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamps:
    """Created/updated timestamps kept by the database."""

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class Strategy(Base):
    """A strategic line (línea estratégica) of the PLADECO."""

    __tablename__ = "strategy"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    objective: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(SmallInteger)
    plans: Mapped[list[Plan]] = relationship(back_populates="strategy", order_by="Plan.position")


class Plan(Base):
    """A plan inside a strategy."""

    __tablename__ = "plan"
    __table_args__ = (Index("ix_plan_strategy", "strategy_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(Text)
    definition: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(SmallInteger)
    strategy: Mapped[Strategy] = relationship(back_populates="plans")
    programs: Mapped[list[Program]] = relationship(back_populates="plan", order_by="Program.position")


class Program(Base):
    """A program inside a plan (the plan may leave its name empty)."""

    __tablename__ = "program"
    __table_args__ = (Index("ix_program_plan", "plan_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(SmallInteger)
    plan: Mapped[Plan] = relationship(back_populates="programs")


class Initiative(Timestamps, Base):
    """Anything tracked on the map: a plan, program, project or study."""

    __tablename__ = "initiative"
    __table_args__ = (
        _check("initiative", "name", "length(btrim(name)) > 0"),
        _one_of("initiative", "kind", INITIATIVE_KINDS),
        _one_of("initiative", "status", STATUSES),
        _one_of("initiative", "scope", SCOPES),
        _one_of("initiative", "bip_stage", BIP_STAGES),
        _one_of("initiative", "technical_result", TECHNICAL_RESULTS),
        _check("initiative", "start_year", "start_year BETWEEN 1990 AND 2100"),
        _check("initiative", "end_year", "end_year BETWEEN 1990 AND 2100"),
        _check("initiative", "progress_pct", "progress_pct BETWEEN 0 AND 100"),
        _valid_geometry("initiative"),
        # A check on two columns: PostgreSQL named it after the table alone.
        CheckConstraint(
            "end_year IS NULL OR start_year IS NULL OR end_year >= start_year", name="initiative_check"
        ),
        Index("ux_initiative_bip", "bip_code", unique=True, postgresql_where=text("bip_code IS NOT NULL")),
        Index("ix_initiative_strategy", "strategy_id"),
        Index("ix_initiative_plan", "plan_id"),
        Index("ix_initiative_status", "status"),
        Index("ix_initiative_demo", "is_demo", postgresql_where=text("is_demo")),
        Index("ix_initiative_archived", "archived_at", postgresql_where=text("archived_at IS NOT NULL")),
        _gist("initiative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id", ondelete="RESTRICT"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(30), server_default="sin_informacion")
    scope: Mapped[str] = mapped_column(String(20), server_default="comunal")
    responsible_unit: Mapped[str | None] = mapped_column(Text)
    bip_code: Mapped[str | None] = mapped_column(String(30))
    bip_stage: Mapped[str | None] = mapped_column(String(20))
    technical_result: Mapped[str | None] = mapped_column(String(10))
    start_year: Mapped[int | None] = mapped_column(SmallInteger)
    end_year: Mapped[int | None] = mapped_column(SmallInteger)
    description: Mapped[str | None] = mapped_column(Text)
    place_note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, server_default="manual")
    geom: Mapped[WKBElement | None] = mapped_column(_geometry(), nullable=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default="false")
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Physical progress a planner entered (issue 13); None: not entered (taken from the status).
    progress_pct: Mapped[int | None] = mapped_column(SmallInteger)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    strategy: Mapped[Strategy] = relationship()
    plan: Mapped[Plan | None] = relationship()
    program: Mapped[Program | None] = relationship()


class FundingLine(Timestamps, Base):
    """One amount of an initiative: source, year, amount in CLP and stage (issue 11).

    Part of its initiative: written only by ``geo/store/initiatives.py`` with the initiative's
    version and audit. ``amount_clp`` may be unknown (a line recorded with a source and no
    amount), never $ 0 for "unknown".
    """

    __tablename__ = "funding_line"
    __table_args__ = (
        _one_of("funding_line", "source", FUNDING_LINE_SOURCES),
        _one_of("funding_line", "stage", FUNDING_STAGES),
        _check("funding_line", "amount_clp", "amount_clp >= 0"),
        _check("funding_line", "year", "year BETWEEN 1990 AND 2100"),
        Index("ix_funding_line_initiative", "initiative_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    source: Mapped[str | None] = mapped_column(String(20))
    source_detail: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(SmallInteger)
    amount_clp: Mapped[int | None] = mapped_column(BigInteger)
    stage: Mapped[str] = mapped_column(String(20))


class Territory(Timestamps, Base):
    """A unidad vecinal, rural locality or named site; geometry may be unknown (sin ubicar)."""

    __tablename__ = "territory"
    __table_args__ = (
        UniqueConstraint("kind", "code"),
        _one_of("territory", "kind", TERRITORY_KINDS),
        _one_of("territory", "sector", SECTORS),
        _check("territory", "population", "population >= 0"),
        _valid_geometry("territory"),
        _gist("territory"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(Text)
    sector: Mapped[str | None] = mapped_column(String(10))
    population: Mapped[int | None] = mapped_column(Integer)
    population_source: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    geom: Mapped[WKBElement | None] = mapped_column(_geometry(), nullable=True)
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class InitiativeTerritory(Base):
    """Link between an initiative and a territory, with how it was made and its weight."""

    __tablename__ = "initiative_territory"
    __table_args__ = (
        _one_of("initiative_territory", "link_method", LINK_METHODS),
        _check("initiative_territory", "weight", "weight > 0 AND weight <= 1"),
        Index("ix_initiative_territory_territory", "territory_id"),
    )
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True
    )
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territory.id", ondelete="CASCADE"), primary_key=True
    )
    link_method: Mapped[str] = mapped_column(String(20))
    weight: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    place_ref: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Facility(Timestamps, Base):
    """A school or health establishment."""

    __tablename__ = "facility"
    __table_args__ = (
        UniqueConstraint("kind", "code"),
        _one_of("facility", "kind", FACILITY_KINDS),
        _valid_geometry("facility"),
        _gist("facility"),
        # The nearest establishment in operation of each kind (geo.coverage.access).
        *(
            Index(
                f"gix_facility_geom_{kind}",
                "geom",
                postgresql_using="gist",
                postgresql_where=text(f"kind = '{kind}' AND in_operation"),
            )
            for kind in ("salud", "escuela")
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(Text)
    subtype: Mapped[str | None] = mapped_column(Text)
    dependency: Mapped[str | None] = mapped_column(Text)
    operating_status: Mapped[str | None] = mapped_column(Text)
    in_operation: Mapped[bool] = mapped_column(Boolean, server_default="true")
    source: Mapped[str] = mapped_column(Text)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    geom: Mapped[WKBElement | None] = mapped_column(_geometry("POINT"), nullable=True)


class InitiativeFacility(Base):
    """Link between an initiative and a facility it speaks of."""

    __tablename__ = "initiative_facility"
    __table_args__ = (_one_of("initiative_facility", "link_method", LINK_METHODS),)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True
    )
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"), primary_key=True)
    link_method: Mapped[str] = mapped_column(String(20))
    place_ref: Mapped[str | None] = mapped_column(Text)


class Boundary(Base):
    """Reference boundaries: the commune limit and the urban limit."""

    __tablename__ = "boundary"
    __table_args__ = (
        UniqueConstraint("kind", "code"),
        _one_of("boundary", "kind", BOUNDARY_KINDS),
        _valid_geometry("boundary", nullable=False),
        _gist("boundary"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    geom: Mapped[WKBElement] = mapped_column(_geometry("MULTIPOLYGON"), nullable=False)


class CensusArea(Base):
    """Census geography (district, urban zone, block) for population estimates."""

    __tablename__ = "census_area"
    __table_args__ = (
        UniqueConstraint("kind", "code"),
        _one_of("census_area", "kind", CENSUS_AREA_KINDS),
        _valid_geometry("census_area", nullable=False),
        _gist("census_area"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str | None] = mapped_column(Text)
    district_code: Mapped[str | None] = mapped_column(String(4))
    zone_code: Mapped[str | None] = mapped_column(String(6))
    source: Mapped[str] = mapped_column(Text)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    geom: Mapped[WKBElement] = mapped_column(_geometry("MULTIPOLYGON"), nullable=False)


class CensusPopulation(Base):
    """Census 2017 persons per geocode (zone or rural locality) and age group."""

    __tablename__ = "census_population"
    __table_args__ = (_check("census_population", "persons", "persons >= 0"),)
    geocode: Mapped[str] = mapped_column(String(11), primary_key=True)
    age_group: Mapped[str] = mapped_column(String(20), primary_key=True)
    persons: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)


class AppUser(Timestamps, Base):
    """An account: who logs in, with which role (written only by :mod:`geo.store.accounts`).

    ``password_hash`` is argon2id; NULL means no password was ever set (no login).
    """

    __tablename__ = "app_user"
    __table_args__ = (
        _one_of("app_user", "role", ROLES),
        _check("app_user", "failed_attempts", "failed_attempts >= 0"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    password_hash: Mapped[str | None] = mapped_column(Text)
    failed_attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class StatusHistory(Base):
    """Who changed an initiative's status, when, from what, to what and why."""

    __tablename__ = "status_history"
    __table_args__ = (
        _one_of("status_history", "from_status", STATUSES),
        _one_of("status_history", "to_status", STATUSES),
        Index("ix_status_history_initiative", "initiative_id", "changed_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_by_name: Mapped[str | None] = mapped_column(Text)
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)


class AuditLog(Base):
    """Append-only record of writes: who did what to which row."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_row", "table_name", "row_id", "at"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    user_name: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(40))
    table_name: Mapped[str | None] = mapped_column(String(60))
    row_id: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")


class ReferenceFeature(Timestamps, Base):
    """A feature of a reference layer (critical point, canal, Plan Regulador zone...)."""

    __tablename__ = "reference_feature"
    __table_args__ = (
        UniqueConstraint("layer", "key", name="reference_feature_layer_key_key"),
        _one_of("reference_feature", "layer", REFERENCE_LAYERS),
        _valid_geometry("reference_feature", nullable=False),
        _gist("reference_feature"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    layer: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    source: Mapped[str] = mapped_column(Text)
    geom: Mapped[WKBElement] = mapped_column(_geometry(), nullable=False)
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class Workshop(Timestamps, Base):
    """A participatory diagnosis workshop (taller / diagnóstico participativo), issue 12.

    Written only by ``geo/store/workshops.py``. ``attendance`` holds counts under the keys of
    ``geo.domain.ATTENDANCE_GROUPS`` when known (empty when not: never a 0 for "unknown").
    """

    __tablename__ = "workshop"
    __table_args__ = (
        _check("workshop", "place", "length(btrim(place)) > 0"),
        _one_of("workshop", "state", WORKSHOP_STATES),
        _check("workshop", "attendance_total", "attendance_total >= 0"),
        _check("workshop", "attendance", "jsonb_typeof(attendance) = 'object'"),
        Index("ix_workshop_held_on", "held_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(Text)
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    facilitator_name: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), server_default="abierto")
    attendance_total: Mapped[int | None] = mapped_column(Integer)
    attendance: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    organisations: Mapped[str | None] = mapped_column(Text)
    closing_report: Mapped[str | None] = mapped_column(Text)
    participation_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    participation_open: Mapped[bool] = mapped_column(Boolean, server_default="false")
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default="false")
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class WorkshopTerritory(Base):
    """A territory (UV, locality) a workshop covers."""

    __tablename__ = "workshop_territory"
    __table_args__ = (Index("ix_workshop_territory_territory", "territory_id"),)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territory.id", ondelete="CASCADE"), primary_key=True
    )


class Need(Timestamps, Base):
    """A need residents raised in a workshop, drawn on the map (point, line or area).

    ``strategy_id`` NULL is "otra"; a need merged into another (``merged_into_id``) is no
    longer counted. Written only by ``geo/store/workshops.py`` (and the participation store).
    """

    __tablename__ = "need"
    __table_args__ = (
        _one_of("need", "kind", NEED_KINDS),
        _check("need", "text", "length(btrim(text)) > 0 AND length(text) <= 1000"),
        _check("need", "votes", "votes >= 0"),
        _valid_geometry("need", nullable=False),
        _one_of("need", "state", NEED_STATES),
        _one_of("need", "origin", NEED_ORIGINS),
        _gist("need"),
        Index("ix_need_workshop", "workshop_id"),
        Index(
            "ix_need_device",
            "workshop_id",
            "device_key",
            postgresql_where=text("device_key IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    strategy_id: Mapped[int | None] = mapped_column(ForeignKey("strategy.id"))
    text: Mapped[str] = mapped_column(Text)
    votes: Mapped[int] = mapped_column(Integer, server_default="0")
    geom: Mapped[WKBElement] = mapped_column(_geometry(), nullable=False)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    photo_type: Mapped[str | None] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(20), server_default="aceptada")
    origin: Mapped[str] = mapped_column(String(20), server_default="taller")
    device_key: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("need.id"))
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default="false")
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class NeedInitiative(Base):
    """A need answered (fully or partly) by an initiative of the plan, confirmed by a person."""

    __tablename__ = "need_initiative"
    __table_args__ = (Index("ix_need_initiative_initiative", "initiative_id"),)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True
    )
    confirmed_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class EvaluationCut(Timestamps, Base):
    """An evaluation cut of the PLADECO ("estado al 31-12"), issue 13.

    Written only by ``geo/store/evaluation.py``. Closing it freezes every initiative into the
    ``cut_*`` tables; a closed cut never changes: the trigger ``sit_cut_frozen`` of migration
    0008 (migration-only, like ``sit_touch_updated_at``) refuses any change to it or its rows.
    """

    __tablename__ = "evaluation_cut"
    __table_args__ = (
        _one_of("evaluation_cut", "state", CUT_STATES),
        Index("ix_evaluation_cut_date", "cut_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    cut_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), server_default="borrador")
    closed_by: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
    with_demo: Mapped[bool] = mapped_column(Boolean, server_default="false")
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class CutInitiative(Base):
    """An initiative as a closed cut froze it (codes and names as they were; no foreign key)."""

    __tablename__ = "cut_initiative"
    __table_args__ = (
        _one_of("cut_initiative", "status", STATUSES),
        _check("cut_initiative", "progress_pct", "progress_pct BETWEEN 0 AND 100"),
        _one_of("cut_initiative", "progress_source", PROGRESS_SOURCES),
    )
    cut_id: Mapped[int] = mapped_column(ForeignKey("evaluation_cut.id", ondelete="CASCADE"), primary_key=True)
    initiative_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(20))
    strategy_code: Mapped[str] = mapped_column(String(20))
    plan_code: Mapped[str | None] = mapped_column(String(20))
    program_code: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30))
    progress_pct: Mapped[int | None] = mapped_column(SmallInteger)
    progress_source: Mapped[str | None] = mapped_column(String(20))
    archived: Mapped[bool] = mapped_column(Boolean, server_default="false")
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default="false")


class CutFundingLine(Base):
    """A funding line as a closed cut froze it."""

    __tablename__ = "cut_funding_line"
    __table_args__ = (
        _one_of("cut_funding_line", "source", FUNDING_LINE_SOURCES),
        _check("cut_funding_line", "amount_clp", "amount_clp >= 0"),
        _one_of("cut_funding_line", "stage", FUNDING_STAGES),
        Index("ix_cut_funding_line_cut", "cut_id", "initiative_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    cut_id: Mapped[int] = mapped_column(ForeignKey("evaluation_cut.id", ondelete="CASCADE"))
    initiative_id: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(20))
    source_detail: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(SmallInteger)
    amount_clp: Mapped[int | None] = mapped_column(BigInteger)
    stage: Mapped[str] = mapped_column(String(20))


class CutTerritory(Base):
    """A territory an initiative reached when a closed cut froze it, with its link weight."""

    __tablename__ = "cut_territory"
    cut_id: Mapped[int] = mapped_column(ForeignKey("evaluation_cut.id", ondelete="CASCADE"), primary_key=True)
    initiative_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    territory_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    weight: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
