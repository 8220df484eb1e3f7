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
