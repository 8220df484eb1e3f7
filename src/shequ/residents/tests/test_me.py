"""我的信息: a resident reads their own entry on a phone, and nothing else."""

from shequ.residents.models import Relation, Resident
from shequ.residents.tests.helpers import resident


def test_resident_sees_own_entry_masked_and_household(client, tree, people):
    # given a resident account linked to its register entry, with a spouse
    me = resident(tree.unit, name="王芳", seq=11, phone="13912345678", relation=Relation.HEAD)
    resident(tree.unit, name="李强", seq=12, relation=Relation.SPOUSE)
    resident(tree.unit, name="赵六", seq=13, room="202")  # a neighbour
    Resident.objects.filter(pk=me.pk).update(user=people.resident)
    client.force_login(people.resident)
    # when they open 我的信息
    html = client.get("/residents/me/").content.decode()
    # then their own data is there, masked, and only their household is listed
    assert "王芳" in html and "李强" in html and "赵六" not in html
    assert "110101********" in html and "139****5678" in html
    assert "13912345678" not in html


def test_unlinked_account_is_told_where_to_go(client, people):
    client.force_login(people.resident)
    assert "尚未与居民档案关联" in client.get("/residents/me/").content.decode()


def test_only_residents_have_the_page(client, people):
    client.force_login(people.worker)
    assert client.get("/residents/me/").status_code == 403
    client.logout()
    assert client.get("/residents/me/").status_code == 302
