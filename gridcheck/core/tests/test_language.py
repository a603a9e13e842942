def test_pages_are_chinese_whatever_the_browser_asks(login):
    client = login("inspector_east")
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "首页" in body and ">Dashboard<" not in body


def test_english_only_when_asked_and_then_kept(login):
    client = login("inspector_east")
    response = client.get("/?lang=en")
    assert "Dashboard" in response.content.decode()
    assert response.cookies["django_language"].value == "en"
    assert "Dashboard" in client.get("/").content.decode()
