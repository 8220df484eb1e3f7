from shequ.core.models import AuditRecord
from shequ.core.tests.factories import PASSWORD


def test_login_logout_and_failed_login_are_audited(client, people):
    # when a worker logs in with a wrong password, then the right one, then logs out
    client.post("/login/", {"username": "worker", "password": "wrong-password-1"})
    client.post("/login/", {"username": "worker", "password": PASSWORD})
    client.post("/logout/")
    # then three records, in order, with the IP and without any password
    rows = list(AuditRecord.objects.order_by("id").values_list("action", "success", "username"))
    assert rows == [
        ("auth.login", False, ""),
        ("auth.login", True, "worker"),
        ("auth.logout", True, "worker"),
    ]
    failed = AuditRecord.objects.order_by("id").first()
    assert failed.message == "登录失败：账号“worker”"
    assert failed.ip == "127.0.0.1"
    assert "wrong-password-1" not in str(failed.changes)


def test_five_failures_lock_the_account_name_for_a_while(client, people):
    # given five failed attempts on one account
    for _ in range(5):
        client.post("/login/", {"username": "worker", "password": "guess-123456"})
    # when the right password comes next, then it is refused all the same
    response = client.post("/login/", {"username": "worker", "password": PASSWORD})
    assert "登录失败次数过多，请 15 分钟后再试" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # and another account is not affected
    client.post("/login/", {"username": "secretary", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(people.secretary.pk)


def test_failures_older_than_the_window_do_not_count(client, people, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    for _ in range(5):
        client.post("/login/", {"username": "worker", "password": "guess-123456"})
    later = timezone.now() + dt.timedelta(minutes=16)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    client.post("/login/", {"username": "worker", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(people.worker.pk)
