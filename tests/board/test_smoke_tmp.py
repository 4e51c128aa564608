def test_pages(plan, auth, client):
    auth.as_role("leader")
    for url in ["/board", "/board?u=city-ga&a=3.1.1", "/board/transfer", "/board/decisions", "/board/report",
                "/board/report.xlsx", "/board/report.docx", "/api/progress", "/board/counties/yanhu", "/board?expand=county:民政局"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[-3000:])
    r = client.get("/board?u=city-ga&a=3.1.1", headers={"HX-Request": "true", "HX-Target": "drill"})
    print(r.get_data(as_text=True)[:2000])
