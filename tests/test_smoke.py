def test_login_page_renders(client):
    r = client.get("/login")
    assert r.status_code == 200
    assert "登录" in r.get_data(as_text=True)
