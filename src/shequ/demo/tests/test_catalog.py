"""The demo catalog: at least 60 valid items in every category, idempotent."""

from collections import Counter
from io import StringIO

from django.core.management import call_command

from shequ.core.models import AuditRecord, Region, RegionLevel, User
from shequ.demo.catalog import ITEMS, load_demo_catalog
from shequ.desk.catalog.selectors import can_accept
from shequ.desk.catalog.services import item_spec
from shequ.desk.catalog.validation import clean_code
from shequ.desk.models import Category, CommunityItem, ServiceItem, Window


def test_demo_catalog_has_sixty_valid_items_across_every_category():
    # then
    assert len(ITEMS) == 67
    assert len({i.code for i in ITEMS}) == len(ITEMS)
    per_category = Counter(i.category for i in ITEMS)
    assert set(per_category) == set(Category.values)
    assert min(per_category.values()) == 6
    for i in ITEMS:
        clean_code(i.code)
        item_spec(
            name=i.name,
            category=i.category,
            department=i.department,
            legal_basis=i.legal_basis,
            materials=[
                {"name": n, "original_or_copy": f, "key": k, "template": ""}
                for n, f, k in i.materials
            ],
            legal_days=i.legal_days,
            promised_days=i.promised_days,
            kind=i.kind,
            fee=i.fee,
        )


def test_load_demo_catalog_is_idempotent(tree, people):
    # when
    first = load_demo_catalog(tree.district, generalists=[(people.worker, tree.community)])
    second = load_demo_catalog(tree.district, generalists=[(people.worker, tree.community)])

    # then: 67 items × 2 rows, 3 communities adopting 6 in 7, windows 2+1+3, 1 generalist
    communities = Region.objects.filter(level=RegionLevel.COMMUNITY).count()
    adopted = CommunityItem.objects.count()
    assert ServiceItem.objects.count() == 67
    assert adopted == sum(1 for n in range(communities) for k in range(67) if (k + n) % 7 != 6)
    assert Window.objects.count() == 6
    assert first == 67 * 2 + adopted + 6 + 1
    assert second == 0


def test_shequ_demo_loads_the_catalog_windows_and_a_generalist(db):
    # when
    call_command("demo", residents=30, stdout=StringIO())

    # then
    district = Region.objects.get(code="210302")
    assert ServiceItem.objects.filter(district=district).count() == 67
    windows = Counter(Window.objects.values_list("community__name", flat=True))
    assert (len(windows), min(windows.values()), max(windows.values())) == (15, 1, 3)
    adopted = Counter(CommunityItem.objects.values_list("community_id", flat=True))
    assert len(adopted) == 15 and min(adopted.values()) >= 57
    worker = User.objects.get(username="demo-community-worker")
    home = Region.objects.get(code="210302001001")
    offered = ServiceItem.objects.filter(adoptions__community=home).order_by("code")
    not_offered = ServiceItem.objects.exclude(adoptions__community=home).order_by("code")
    assert [i.code for i in offered[:2]] == ["CJ-001", "CJ-002"]
    assert can_accept(worker, offered[0], home) is True
    assert can_accept(worker, not_offered[0], home) is False
    assert AuditRecord.objects.get(action="demo.load").changes["catalog"] > 67
