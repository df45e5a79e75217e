"""The catalog's change history: who changed which entity when, with the values before and after.

A published Standar Pelayanan is a promise to citizens (UU 25/2009 Pasal 15: the provider must publish and keep
to it), so a changed fee, time limit or requirement must be traceable to a person and a moment. Rows are
append-only, like the audit log; the ORM refuses updates and deletes.
"""

from __future__ import annotations

import enum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..database import created_at, int_pk, str_enum
from ..extensions import db


class ChangeKind(enum.StrEnum):
    CREATE = "tambah"
    UPDATE = "ubah"
    DELETE = "hapus"


class CatalogChange(db.Model):
    __tablename__ = "catalog_change"

    id: Mapped[int_pk]
    created_at: Mapped[created_at]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(120))  # copied: the history outlives the account
    actor_role: Mapped[str] = mapped_column(String(20))
    mpp_id: Mapped[int | None] = mapped_column(ForeignKey("mpp.id", ondelete="SET NULL"))  # whose history it is
    entity: Mapped[str] = mapped_column(String(40))  # "mpp", "tenancy", "service", "service_fee"…
    entity_id: Mapped[int | None] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))  # human name of the entity at the time of the change
    kind: Mapped[ChangeKind] = mapped_column(str_enum(ChangeKind, 10))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_catalog_change_mpp_created", "mpp_id", "created_at"),
        Index("ix_catalog_change_created", "created_at", "id"),  # a national admin's history, a page at a time
        Index("ix_catalog_change_entity", "entity", "entity_id"),
    )


class HistoryImmutable(Exception):
    pass


@event.listens_for(CatalogChange, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise HistoryImmutable(f"catalog change {target.id} is append-only")


@event.listens_for(CatalogChange, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise HistoryImmutable(f"catalog change {target.id} is append-only")
