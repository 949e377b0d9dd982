"""SQLAlchemy models of the operational store.

One schema for SQLite and PostgreSQL; the Alembic history under ``migrations/`` creates it.
Keys follow DHIS2: a data value is (org, data element, period) → value, with a version for
optimistic concurrency and an audit row for every change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC; SQLite's naive values come back as UTC-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


# ── Plans, tasks, units, targets (from hqd.policy ledgers) ─────────────────────────────────


class Plan(Base):
    """A policy document (政策文件)."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    doc_number: Mapped[str | None] = mapped_column(String(100), unique=True)  # 文号
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str | None] = mapped_column(String(500))
    issuer: Mapped[str | None] = mapped_column(String(300))
    date: Mapped[date | None] = mapped_column(Date)
    level: Mapped[str | None] = mapped_column(String(20))  # 国家/省/市/区县
    file: Mapped[str | None] = mapped_column(String(500))
    ledger: Mapped[dict | None] = mapped_column(JSON)  # the ledger JSON as imported
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The region that owns the plan (发文地区): the saver's org, or the region named in the issuer. Its
    # responsible units (市卫生健康委 …) are that region's; only users within it may re-save the plan.
    org_id: Mapped[int | None] = mapped_column(ForeignKey("org.id", ondelete="SET NULL"), index=True)

    org: Mapped[Org | None] = relationship()
    tasks: Mapped[list[Task]] = relationship(back_populates="plan", order_by="Task.position")
    citations: Mapped[list[PlanCitation]] = relationship(
        back_populates="plan", foreign_keys="PlanCitation.plan_id", cascade="all, delete-orphan"
    )


class PlanCitation(Base):
    """A cited plan (上位文件), linked to a stored plan when its 文号 is known."""

    __tablename__ = "plan_citation"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    doc_number: Mapped[str | None] = mapped_column(String(100), index=True)
    cited_plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"))

    plan: Mapped[Plan] = relationship(back_populates="citations", foreign_keys=[plan_id])
    cited_plan: Mapped[Plan | None] = relationship(foreign_keys=[cited_plan_id])


class Unit(Base):
    """A responsible unit (责任单位) under its normalized name."""

    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    jurisdiction: Mapped[str | None] = mapped_column(String(100))
    aliases: Mapped[list[UnitAlias]] = relationship(back_populates="unit", cascade="all, delete-orphan")


class UnitAlias(Base):
    __tablename__ = "unit_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)
    unit: Mapped[Unit] = relationship(back_populates="aliases")


class Task(Base):
    """A task (任务/举措) at a path of the plan's outline."""

    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("plan_id", "path", name="uq_task_plan_path"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(200))  # outline labels joined by "/": 二/(一)/3
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    section: Mapped[str | None] = mapped_column(String(50))
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="未启动")
    removed: Mapped[bool] = mapped_column(default=False)  # gone from a re-imported plan but kept for its history

    plan: Mapped[Plan] = relationship(back_populates="tasks")
    units: Mapped[list[TaskUnit]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskUnit.position"
    )
    targets: Mapped[list[Target]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="Target.position"
    )


class TaskUnit(Base):
    __tablename__ = "task_unit"
    __table_args__ = (UniqueConstraint("task_id", "unit_id", "role", name="uq_task_unit"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # lead 牵头 / support 配合
    position: Mapped[int] = mapped_column(Integer, default=0)
    task: Mapped[Task] = relationship(back_populates="units")
    unit: Mapped[Unit] = relationship()


class Target(Base):
    """A quantitative goal (目标) of a task."""

    __tablename__ = "target"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    indicator: Mapped[str] = mapped_column(String(300))
    comparator: Mapped[str] = mapped_column(String(10))
    value: Mapped[float | None] = mapped_column(Float)
    value_high: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(50))
    deadline: Mapped[date | None] = mapped_column(Date)
    scope: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer, default=-1)
    end: Mapped[int] = mapped_column(Integer, default=-1)
    catalog_code: Mapped[str | None] = mapped_column(String(50), index=True)
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_period: Mapped[str | None] = mapped_column(String(10))

    task: Mapped[Task] = relationship(back_populates="targets")
    orgs: Mapped[list[TargetOrg]] = relationship(cascade="all, delete-orphan")


class TargetOrg(Base):
    """An org a target applies to (empty: the plan's whole jurisdiction)."""

    __tablename__ = "target_org"
    __table_args__ = (UniqueConstraint("target_id", "org_id", name="uq_target_org"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)


# ── Orgs ────────────────────────────────────────────────────────────────────────────────────


class Org(Base):
    """An organisation unit (机构) in the one tree: 省 → 市 → 区县 → 医院/基层机构."""

    __tablename__ = "org"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    type: Mapped[str | None] = mapped_column(String(50))  # 综合/中医/专科/基层 …
    grade: Mapped[str | None] = mapped_column(String(20))  # 三级/二级 …
    path: Mapped[str] = mapped_column(String(1000), index=True)  # /root/…/code/ for subtree queries
    closed: Mapped[bool] = mapped_column(default=False)

    parent: Mapped[Org | None] = relationship(remote_side=[id])


class OrgGroup(Base):
    """A cross-cutting group: 医共体, 城市医疗集团, 三级, 综合 …"""

    __tablename__ = "org_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str | None] = mapped_column(String(50))


class OrgGroupMember(Base):
    __tablename__ = "org_group_member"
    __table_args__ = (UniqueConstraint("group_id", "org_id", name="uq_org_group_member"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("org_group.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)


# ── Data elements, data sets, periods, values ───────────────────────────────────────────────


class DataElement(Base):
    """A reported quantity (数据项)."""

    __tablename__ = "data_element"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(50))
    aggregation: Mapped[str] = mapped_column(String(10), default="sum")  # sum / average / last


class DataSet(Base):
    """A form (数据集/填报表): elements, period type, assigned orgs, timeliness."""

    __tablename__ = "data_set"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    period_type: Mapped[str] = mapped_column(String(10))  # quarter / year / month
    timely_days: Mapped[int] = mapped_column(Integer, default=10)  # on time: submitted ≤ end + N days
    expiry_days: Mapped[int | None] = mapped_column(Integer)  # entry closes N days after period end

    elements: Mapped[list[DataSetElement]] = relationship(
        cascade="all, delete-orphan", order_by="DataSetElement.position"
    )
    orgs: Mapped[list[DataSetOrg]] = relationship(cascade="all, delete-orphan")
    rules: Mapped[list[ValidationRule]] = relationship(cascade="all, delete-orphan")


class DataSetElement(Base):
    __tablename__ = "data_set_element"
    __table_args__ = (UniqueConstraint("data_set_id", "data_element_id", name="uq_data_set_element"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    data_set_id: Mapped[int] = mapped_column(ForeignKey("data_set.id", ondelete="CASCADE"), index=True)
    data_element_id: Mapped[int] = mapped_column(ForeignKey("data_element.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    element: Mapped[DataElement] = relationship()


class DataSetOrg(Base):
    __tablename__ = "data_set_org"
    __table_args__ = (UniqueConstraint("data_set_id", "org_id", name="uq_data_set_org"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    data_set_id: Mapped[int] = mapped_column(ForeignKey("data_set.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)


class ValidationRule(Base):
    """Left expression, operator, right expression, severity (校验规则)."""

    __tablename__ = "validation_rule"
    __table_args__ = (UniqueConstraint("data_set_id", "code", name="uq_validation_rule"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    data_set_id: Mapped[int] = mapped_column(ForeignKey("data_set.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(300))
    left: Mapped[str] = mapped_column(String(500))
    operator: Mapped[str] = mapped_column(String(4))
    right: Mapped[str] = mapped_column(String(500))
    severity: Mapped[str] = mapped_column(String(10), default="error")  # error / warning


class Period(Base):
    """`2025`, `2025Q2`, `2025-03`."""

    __tablename__ = "period"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    type: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)


class DataValue(Base):
    __tablename__ = "data_value"
    __table_args__ = (UniqueConstraint("org_id", "data_element_id", "period_id", name="uq_data_value"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    data_element_id: Mapped[int] = mapped_column(ForeignKey("data_element.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    value: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)  # the value cache reads changes by it
    source: Mapped[str | None] = mapped_column(String(20))  # form / file / api / records


class Submission(Base):
    """An org's data set for a period (填报): draft → submitted → approved | returned."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("data_set_id", "org_id", "period_id", name="uq_submission"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    data_set_id: Mapped[int] = mapped_column(ForeignKey("data_set.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    returned_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class TaskProgress(Base):
    """A responsible unit's progress report (进展) on a task for a period."""

    __tablename__ = "task_progress"
    __table_args__ = (UniqueConstraint("task_id", "unit_id", "period_id", name="uq_task_progress"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # 未启动/进行中/已完成/滞后
    narrative: Mapped[str] = mapped_column(Text, default="")
    reported_by: Mapped[str | None] = mapped_column(String(100))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class StoreInstance(Base):
    """One row: this database's id, made when it is created. Caches kept outside the database
    (hqd.store.value_cache) belong to one id; a backup does not carry it (the restored database
    is another database)."""

    __tablename__ = "store_instance"
    __table_args__ = {"info": {"backup": False}}
    id: Mapped[str] = mapped_column(String(36), primary_key=True)


class AuditLog(Base):
    """Every change: who, when, what, old value, new value, source (form / file / api)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))  # create / update / delete / submit / approve …
    entity: Mapped[str] = mapped_column(String(30))  # data_value / submission / plan / org …
    key: Mapped[str] = mapped_column(String(300), index=True)  # readable: ORG|ELEMENT|2025Q2
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text)


# ── Users and access (issue #8) ───────────────────────────────────────────────────────────────


class User(Base):
    """A person or system account bound to one org; acts on that org's subtree only (hqd.access)."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(300))  # argon2id, never the password
    role: Mapped[str] = mapped_column(String(20))  # admin 系统管理员 / reviewer 审核 / reporter 填报 / viewer 查看
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    unit: Mapped[str | None] = mapped_column(String(200))  # responsible unit (责任单位) the user speaks for
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org: Mapped[Org] = relationship()


class WebSession(Base):
    """A signed-in browser: the cookie carries the token, the table only its SHA-256."""

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # expired rows are purged on sign-in


class ApiToken(Base):
    """A bearer token for system-to-system import, stored as its SHA-256 (shown once at creation)."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(default=False)


class LoginFailure(Base):
    """A failed sign-in, for throttling by user name and client address."""

    __tablename__ = "login_failure"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
