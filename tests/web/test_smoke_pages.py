"""Every page of every role renders (no template error) and speaks Chinese by default."""

import pytest

PAGES = {
    "admin": ["/", "/places/", "/places/new", "/places/import", "/admin/users", "/admin/users/new",
              "/account", "/audit/log"],
    "auditor": ["/", "/places/", "/account", "/audit/log"],
    "reviewer": ["/", "/places/", "/account"],
    "clerk": ["/", "/places/", "/account"],
}


@pytest.mark.parametrize("user", PAGES)
def test_every_page_of_a_role_renders_in_chinese(world, login, user):
    c = login(user)
    for url in PAGES[user]:
        resp = c.get(url, follow_redirects=True)  # the auditor's home is the auditor's desk
        assert resp.status_code == 200, (url, resp.status_code)
        html = resp.get_data(as_text=True)
        assert 'lang="zh-CN"' in html
        assert "首页" in html, url


def test_register_pages_render_for_every_role(world, login):
    for user in ("clerk", "reviewer", "auditor", "admin"):
        c = login(user)
        for url in ("/registry/", "/registry/households", "/registry/?category=lifted&sort=name&q=测试"):
            assert c.get(url).status_code == 200, (user, url)
    c = login("clerk")
    for url in ("/registry/households/new", f"/registry/people/{world.people['p_a1a']}",
                f"/registry/people/{world.people['p_a1a']}/edit"):
        assert c.get(url).status_code == 200, url
