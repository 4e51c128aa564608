"""收藏: anyone signed in stars a document or an article into folders of their own; the 我的收藏
page lists them by folder; nobody sees or changes another person's; every change is audited."""
from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEntry, Favourite, FavouriteFolder
from tests.conftest import signed_in

LAW = "weichengnianren-baohu-fa"
HTMX = {"HX-Request": "true"}


def _folder(auth, name: str) -> FavouriteFolder:
    r = auth.post("/policy/favourites/folders", {"name": name})
    assert r.status_code == 302, r.get_data(as_text=True)
    return db.session.scalars(sa.select(FavouriteFolder).where(FavouriteFolder.name == name)).one()


def test_a_trainee_stars_an_article_into_a_folder_and_finds_it_in_my_favourites(app, library):
    auth = signed_in(app, "fav-trainee", "trainee")
    folder = _folder(auth, "强制报告")
    page = auth.client.get(f"/policy/{LAW}/a11").get_data(as_text=True)
    assert 'data-testid="star"' in page and "强制报告" in page  # the folder is offered
    r = auth.client.post("/policy/favourites/star", headers=HTMX, data={
        "csrf_token": auth.csrf, "action": "star", "doc": LAW, "clause": "a11", "folder": str(folder.id)})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<h1>" not in html and "已收藏到“强制报告”" in html and 'data-testid="unstar"' in html
    mine = auth.client.get("/policy/favourites/").get_data(as_text=True)
    assert "《中华人民共和国未成年人保护法》第十一条" in mine and f"/policy/{LAW}/a11" in mine
    assert auth.client.get(f"/policy/favourites/?folder={folder.id}").status_code == 200
    # starred shows on the article's page; the document itself is starred apart from its article
    assert "已收藏到“强制报告”" in auth.client.get(f"/policy/{LAW}/a11").get_data(as_text=True)
    assert 'data-testid="star"' in auth.client.get(f"/policy/{LAW}").get_data(as_text=True)
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type.in_(("favourite", "favourite_folder"))).order_by(AuditEntry.id)).all()
    assert actions == ["create", "star"]


def test_unstar_move_and_folders_renamed_and_deleted_keep_the_favourites(app, library):
    auth = signed_in(app, "fav-staff", "staff")
    a, b = _folder(auth, "甲"), _folder(auth, "乙")
    assert auth.post("/policy/favourites/star", {"action": "star", "doc": LAW, "folder": str(a.id)}).status_code == 302
    fav = db.session.scalars(sa.select(Favourite)).one()
    assert fav.clause_id == "" and fav.folder_id == a.id
    assert auth.post(f"/policy/favourites/{fav.id}/move", {"folder": str(b.id)}).status_code == 302
    db.session.refresh(fav)
    assert fav.folder_id == b.id
    assert auth.post(f"/policy/favourites/folders/{b.id}/rename", {"name": "丙"}).status_code == 302
    r = auth.post(f"/policy/favourites/folders/{a.id}/rename", {"name": "丙"})
    assert r.status_code == 400 and "已有名为“丙”的收藏夹" in r.get_data(as_text=True)
    r = auth.post(f"/policy/favourites/folders/{b.id}/delete", follow_redirects=True)
    assert "已删除收藏夹“丙”，其中 1 项收藏移到“未分类”" in r.get_data(as_text=True)
    db.session.refresh(fav)
    assert fav.folder_id is None
    assert "《中华人民共和国未成年人保护法》" in auth.client.get("/policy/favourites/").get_data(as_text=True)
    assert auth.post("/policy/favourites/star", {"action": "unstar", "doc": LAW}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Favourite.id))) == 0
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type.in_(("favourite", "favourite_folder"))).order_by(AuditEntry.id)).all()
    assert actions == ["create", "create", "star", "move_favourite", "update", "delete", "unstar"]


def test_nobody_sees_or_changes_another_persons_favourites(app, library):
    owner = signed_in(app, "fav-owner", "staff")
    folder = _folder(owner, "私人")
    owner.post("/policy/favourites/star", {"action": "star", "doc": LAW, "clause": "a9", "folder": str(folder.id)})
    fav = db.session.scalars(sa.select(Favourite)).one()
    other = signed_in(app, "fav-other", "admin")
    page = other.client.get("/policy/favourites/").get_data(as_text=True)
    assert "私人" not in page and "第九条" not in page
    assert other.client.get(f"/policy/favourites/?folder={folder.id}").status_code == 404
    assert other.post(f"/policy/favourites/folders/{folder.id}/rename", {"name": "我的"}).status_code == 404
    assert other.post(f"/policy/favourites/folders/{folder.id}/delete").status_code == 404
    assert other.post(f"/policy/favourites/{fav.id}/move", {"folder": ""}).status_code == 404
    assert other.post(f"/policy/favourites/{fav.id}/remove").status_code == 404
    # starring into someone else's folder is refused with a message
    r = other.post("/policy/favourites/star", {"action": "star", "doc": LAW, "clause": "a9", "folder": str(folder.id)})
    box = r.get_data(as_text=True).split('id="star-a9"')[1].split("</form>")[0]  # the article's page again
    assert r.status_code == 422 and 'data-testid="form-refused">所选收藏夹无效，请重新选择。' in box
    assert db.session.scalar(sa.select(sa.func.count(Favourite.id))) == 1
    assert db.session.get(FavouriteFolder, folder.id).name == "私人"


def test_bad_input_gets_a_message_or_not_found_never_a_500(app, library):
    auth = signed_in(app, "fav-bad", "staff")
    assert auth.post("/policy/favourites/star", {"action": "star", "doc": "no-such-law"}).status_code == 404
    assert auth.post("/policy/favourites/star", {"action": "star", "doc": LAW, "clause": "a9999"}).status_code == 404
    r = auth.client.post("/policy/favourites/star", headers=HTMX,
                         data={"csrf_token": auth.csrf, "action": "star", "doc": LAW, "folder": "9" * 30})
    assert r.status_code == 400 and "所选收藏夹无效" in r.get_data(as_text=True)
    r = auth.post("/policy/favourites/star", {"action": "star", "doc": LAW, "folder": "9" * 30})
    box = r.get_data(as_text=True).split('id="star-doc"')[1].split("</form>")[0]  # the document's page again
    assert r.status_code == 422 and 'data-testid="form-refused">所选收藏夹无效，请重新选择。' in box
    r = auth.post("/policy/favourites/folders", {"name": "   "})
    assert r.status_code == 400 and "请填写收藏夹名称" in r.get_data(as_text=True)
    r = auth.post("/policy/favourites/folders", {"name": "未分类"})
    assert r.status_code == 400 and "默认分组" in r.get_data(as_text=True)
    r = auth.post("/policy/favourites/folders", {"name": "长" * 41})
    assert r.status_code == 400 and "最多 40 个字" in r.get_data(as_text=True)
    assert auth.client.get("/policy/favourites/?folder=abc").status_code == 404
