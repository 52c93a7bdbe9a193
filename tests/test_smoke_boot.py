def test_boot(client):
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/").status_code == 200
