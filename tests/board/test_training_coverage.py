"""The board's headline carries training coverage (三（二）10), agreeing with the training roll-up."""
from __future__ import annotations

from datetime import timedelta

from portal.core.time import today
from portal.training import services
from tests.training.helpers import admin_actor, import_rows, sync_modules, trainee


def test_board_headline_shows_training_coverage_agreeing_with_the_training_api(app, plan, client, auth):
    auth.as_role("leader")
    assert 'data-figure="training"' not in client.get("/board").get_data(as_text=True)  # nothing assigned yet

    sync_modules()
    import_rows("甲主任,儿童主任,盐湖区,北城街道,红旗社区,13900000011,,",
                "乙主任,儿童主任,盐湖区,北城街道,东风社区,13900000012,,",
                "丙督导,儿童督导员,盐湖区,北城街道,,13900000013,,")
    actor = admin_actor()
    module = services.get_module("xinxi-modi-paicha")
    people = [trainee(p) for p in ("13900000011", "13900000012", "13900000013")]
    services.assign_people(actor, module, people, today() + timedelta(days=30))
    services.mark_completed(actor, people[0], module, today())

    html = client.get("/board").get_data(as_text=True)
    figure = html.split('data-figure="training"')[1].split("</dd>")[0]
    assert "33%" in figure and "已完成 1 人次，共安排 3 人次" in figure and "一人完成一个培训模块计 1 人次" in figure
    assert "1/3" not in figure  # not to be read as "1 of 3 counties"

    total = client.get("/api/training").get_json()["total"]
    assert (total["assigned"], total["completed"]) == (3, 1)

    services.mark_completed(actor, people[1], module, today())  # 2 of 3: rounded half up, as in training
    figure = client.get("/board").get_data(as_text=True).split('data-figure="training"')[1].split("</dd>")[0]
    assert "67%" in figure and "已完成 2 人次，共安排 3 人次" in figure
    assert client.get("/api/training").get_json()["total"]["percent"] == 67
