from shequ.core.models import AuditRecord, User
from shequ.core.permissions import Role
from shequ.core.tests.factories import PASSWORD, user_with

NEW = "Neuer-Pass-2026x"


def test_forced_change_blocks_every_page_until_done(client, tree):
    # given an account reset by an administrator
    user = user_with(Role.COMMUNITY_WORKER, tree.community, "reset_me")
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client.force_login(user)
    # when it opens any page, then it is sent to the password page
    response = client.get("/residents/")
    assert response.status_code == 302 and response["Location"] == "/password/"
    # when it sets a new password
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password": NEW, "new_password_again": NEW},
    )
    # then it stays logged in, the flag is cleared and the change is audited
    assert response.status_code == 302 and response["Location"] == "/"
    user.refresh_from_db()
    assert user.must_change_password is False and user.check_password(NEW)
    assert client.get("/residents/").status_code == 200
    assert AuditRecord.objects.filter(action="user.password_change", success=True).count() == 1


def test_wrong_old_password_changes_nothing(client, tree):
    user = user_with(Role.COMMUNITY_WORKER, tree.community, "keep_me")
    client.force_login(user)
    response = client.post(
        "/password/",
        {"old_password": "wrong-one-123", "new_password": NEW, "new_password_again": NEW},
    )
    assert response.status_code == 422
    assert "原密码不正确" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert AuditRecord.objects.filter(action="user.password_change", success=False).count() == 1


def test_mismatched_and_weak_passwords_are_refused(client, tree):
    user = user_with(Role.COMMUNITY_WORKER, tree.community, "weak_one")
    client.force_login(user)
    r1 = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password": NEW, "new_password_again": NEW + "x"},
    )
    assert "两次输入的新密码不一致" in r1.content.decode()
    r2 = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password": "12345678901",
            "new_password_again": "12345678901",
        },
    )
    assert "密码不能全是数字" in r2.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_anonymous_is_sent_to_login(client):
    assert client.get("/password/")["Location"] == "/login/"
