"""Where the app writes and reads: a copy of the project writes into its own folders, and
PORTAL_CONTENT_DIR is the content every command and page uses."""
from __future__ import annotations

import shutil
from pathlib import Path

from portal import create_app
from portal.config import PROJECT_ROOT

ROOT = Path(__file__).resolve().parents[1]


def test_writable_data_defaults_to_the_working_folder_not_the_code_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PORTAL_INSTANCE_PATH", raising=False)
    monkeypatch.delenv("PORTAL_SEARCH_INDEX_DIR", raising=False)
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert Path(app.instance_path) == tmp_path / "instance"
    assert (tmp_path / "instance" / "secret_key").exists()
    assert Path(app.config["SEARCH_INDEX_DIR"]) == tmp_path / "search_index"
    for key in ("UPLOAD_DIR", "SEARCH_INDEX_DIR"):
        assert not Path(app.config[key]).is_relative_to(PROJECT_ROOT)


def test_portal_content_dir_is_used_by_commands(tmp_path, monkeypatch, app_config):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "units.csv").write_text((content / "units.csv").read_text(encoding="utf-8") + "broken,line\n",
                                       encoding="utf-8")
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(content))
    app = create_app({**app_config, "CONTENT_DIR": None})
    app.config["CONTENT_DIR"] = str(content)  # what load_settings read from PORTAL_CONTENT_DIR
    result = app.test_cli_runner().invoke(args=["portal", "check-content"])
    assert result.exit_code == 1
    assert "units.csv" in result.output  # the copy's problem, shown relative to the copy
    assert str(ROOT) not in result.output
