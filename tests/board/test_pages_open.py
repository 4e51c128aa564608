"""Every board page, file and fragment opens for a leader, with a drill-down in the URL."""


def test_pages(plan, auth, client):
    auth.as_role("leader")
    for url in ["/board", "/board?u=city-ga&a=3.1.1", "/board/transfer", "/board/decisions", "/board/report",
                "/board/report.xlsx", "/board/report.docx", "/api/progress", "/board/counties/yanhu", "/board?expand=county:民政局"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[-3000:])
    r = client.get("/board?u=city-ga&a=3.1.1", headers={"HX-Request": "true", "HX-Target": "drill"})
    fragment = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in fragment and "市公安局" in fragment  # the drill, not a page
