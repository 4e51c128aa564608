"""收藏: a person's own favourites in the library (a document or one article) in folders of their
own. Every function takes the person: nothing here reads or changes another person's favourites,
and a folder or favourite of someone else is "not found". Every change is audited.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from portal.audit.services import record
from portal.extensions import db
from portal.models import Favourite, FavouriteFolder, PolicyClause, PolicyDocument
from portal.policy.services import cite, get_clause

MAX_FOLDERS = 50
UNFILED = "未分类"


class FavouriteError(Exception):
    """A message for the person, in Chinese."""


@dataclass
class Item:
    """One favourite as the 我的收藏 page shows it."""

    favourite: Favourite
    citation: str
    excerpt: str
    clause: PolicyClause | None


@dataclass
class Group:
    folder: FavouriteFolder | None  # None: 未分类
    items: list[Item] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.folder.name if self.folder else UNFILED


def folders(user) -> list[FavouriteFolder]:
    return list(db.session.scalars(sa.select(FavouriteFolder).where(FavouriteFolder.user_id == user.id)
                                   .order_by(FavouriteFolder.name, FavouriteFolder.id)))


def folder_of(user, folder_id: int | None) -> FavouriteFolder | None:
    """The person's own folder, or None (no folder asked for, or not theirs)."""
    if not folder_id:
        return None
    found = db.session.get(FavouriteFolder, folder_id)
    return found if found is not None and found.user_id == user.id else None


def favourite_of(user, favourite_id: int) -> Favourite | None:
    found = db.session.get(Favourite, favourite_id)
    return found if found is not None and found.user_id == user.id else None


def find(user, doc: PolicyDocument, clause_id: str = "") -> Favourite | None:
    return db.session.scalars(sa.select(Favourite).where(
        Favourite.user_id == user.id, Favourite.document_id == doc.id, Favourite.clause_id == clause_id)).first()


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass
class StarState:
    """What the star on a page shows: whether the person starred it (and where), and their folders."""

    starred: bool
    folder_name: str
    folders: list[Choice]


def star_state(user, doc: PolicyDocument, clause_id: str = "") -> StarState:
    """One statement: the person's folders and, if starred, the folder it is in."""
    mine = sa.select(sa.literal("folder").label("what"), FavouriteFolder.id.label("id"),
                     FavouriteFolder.name.label("name")).where(FavouriteFolder.user_id == user.id)
    starred = (sa.select(sa.literal("starred"), Favourite.folder_id, sa.literal(""))
               .where(Favourite.user_id == user.id, Favourite.document_id == doc.id, Favourite.clause_id == clause_id))
    rows = db.session.execute(sa.union_all(mine, starred)).all()
    folders = sorted((Choice(r.id, r.name) for r in rows if r.what == "folder"), key=lambda c: (c.name, c.id))
    star = next((r for r in rows if r.what == "starred"), None)
    names = {c.id: c.name for c in folders}
    return StarState(star is not None, names.get(star.id, UNFILED) if star is not None else "", folders)


def _label(doc: PolicyDocument, clause: PolicyClause | None) -> str:
    return cite(doc, clause) if clause is not None else f"《{doc.title}》"


def star(user, doc: PolicyDocument, clause: PolicyClause | None, folder: FavouriteFolder | None) -> Favourite:
    """Star the document (clause None) or one article into `folder` (None: 未分类); starring it
    again moves it to the folder chosen."""
    clause_id = clause.clause_id if clause is not None else ""
    fav = find(user, doc, clause_id)
    if fav is not None:
        if fav.folder_id != (folder.id if folder else None):
            move(user, fav, folder)
        return fav
    fav = Favourite(user_id=user.id, document_id=doc.id, clause_id=clause_id, folder_id=folder.id if folder else None)
    db.session.add(fav)
    db.session.flush()
    record("star", "favourite", fav.id, label=_label(doc, clause), actor=user,
           after={"folder": folder.name if folder else UNFILED})
    db.session.commit()
    return fav


def unstar(user, fav: Favourite) -> None:
    doc = fav.document
    record("unstar", "favourite", fav.id, label=_label(doc, get_clause(doc, fav.clause_id)), actor=user,
           before={"folder": fav.folder.name if fav.folder else UNFILED})
    db.session.delete(fav)
    db.session.commit()


def move(user, fav: Favourite, folder: FavouriteFolder | None) -> None:
    before = fav.folder.name if fav.folder else UNFILED
    fav.folder_id = folder.id if folder else None
    doc = fav.document
    record("move_favourite", "favourite", fav.id, label=_label(doc, get_clause(doc, fav.clause_id)), actor=user,
           before={"folder": before}, after={"folder": folder.name if folder else UNFILED})
    db.session.commit()
    db.session.refresh(fav)


def _clean_name(user, name: str, keep: FavouriteFolder | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise FavouriteError("请填写收藏夹名称。")
    if name == UNFILED:
        raise FavouriteError(f"“{UNFILED}”是默认分组的名称，请换一个名称。")
    clash = db.session.scalars(sa.select(FavouriteFolder).where(
        FavouriteFolder.user_id == user.id, FavouriteFolder.name == name)).first()
    if clash is not None and clash is not keep:
        raise FavouriteError(f"已有名为“{name}”的收藏夹，请换一个名称。")
    return name


def create_folder(user, name: str) -> FavouriteFolder:
    if len(folders(user)) >= MAX_FOLDERS:
        raise FavouriteError(f"收藏夹最多 {MAX_FOLDERS} 个，请先删除不用的收藏夹。")
    folder = FavouriteFolder(user_id=user.id, name=_clean_name(user, name))
    db.session.add(folder)
    db.session.flush()
    record("create", "favourite_folder", folder.id, label=folder.name, actor=user, after={"name": folder.name})
    db.session.commit()
    return folder


def rename_folder(user, folder: FavouriteFolder, name: str) -> None:
    new = _clean_name(user, name, keep=folder)
    if new == folder.name:
        return
    record("update", "favourite_folder", folder.id, label=new, actor=user, before={"name": folder.name},
           after={"name": new})
    folder.name = new
    db.session.commit()


def delete_folder(user, folder: FavouriteFolder) -> int:
    """Delete the folder; its favourites stay, in 未分类. Returns how many moved there."""
    moved = db.session.execute(sa.update(Favourite).where(Favourite.folder_id == folder.id)
                               .values(folder_id=None)).rowcount
    record("delete", "favourite_folder", folder.id, label=folder.name, actor=user, before={"name": folder.name},
           after={"moved_to_unfiled": moved})
    db.session.delete(folder)
    db.session.commit()
    return moved


def groups(user, folder: FavouriteFolder | None = None) -> list[Group]:
    """The person's favourites by folder (未分类 first, then folders by name; an empty folder is
    listed too); only `folder`'s when one is asked for. Documents no longer in the library stay
    listed, marked by their excerpt."""
    favs = db.session.scalars(sa.select(Favourite).where(Favourite.user_id == user.id)
                              .options(sa.orm.joinedload(Favourite.document))
                              .order_by(Favourite.created_at.desc(), Favourite.id.desc())).all()
    out = {None: Group(None)} | {f.id: Group(f) for f in folders(user)}
    clauses = _clauses_of(favs)
    for fav in favs:
        clause = clauses.get((fav.document_id, fav.clause_id))
        excerpt = "此文件已不在法规库中。" if not fav.document.active else (
            "此条已删除。" if clause is not None and clause.retired else _excerpt(clause))
        out.setdefault(fav.folder_id, Group(fav.folder)).items.append(
            Item(fav, _label(fav.document, clause), excerpt, clause))
    if folder is not None:
        return [out[folder.id]]
    return [g for key, g in out.items() if key is not None or g.items]


def _clauses_of(favs) -> dict[tuple[int, str], PolicyClause]:
    """The starred articles in one statement (not every article of each document)."""
    wanted = {(f.document_id, f.clause_id) for f in favs if f.clause_id}
    if not wanted:
        return {}
    rows = db.session.scalars(sa.select(PolicyClause).where(
        PolicyClause.document_id.in_({d for d, _ in wanted}), PolicyClause.clause_id.in_({c for _, c in wanted})))
    return {(c.document_id, c.clause_id): c for c in rows if (c.document_id, c.clause_id) in wanted}


def _excerpt(clause: PolicyClause | None) -> str:
    if clause is None:
        return ""
    text = " ".join(clause.text.split())
    return text if len(text) <= 80 else text[:80] + "…"
