"""The demo's workbench content, made through the services: two 通知公告 (the
district's to everyone, the street's to its communities) and, just now, an
urgent whistle from 站前社区 to 站前派出所, so the demo liaison's bell rings
and its workbench opens on the report-in it owes. Loaded once."""

from __future__ import annotations

from shequ.core.models import Announcement, Region, User
from shequ.core.scope import Actor
from shequ.core.services.announcements import announcement_publish
from shequ.whistles.models import Liaison, WhistleUrgency
from shequ.whistles.whistle.services import whistle_raise

ANNOUNCEMENTS = (
    (
        "district_admin",
        "district",
        "关于做好今冬明春困难群众走访慰问工作的通知",
        "各街道、社区：\n请于本月底前完成辖区低保、特困、独居老人的走访慰问，"
        "走访情况录入平台并在工作台跟进未办结事项。\n城东区民政局",
        True,
    ),
    (
        "street_officer",
        "street",
        "关于本周五召开吹哨报到工作推进会的通知",
        "请各社区书记周五上午9时到街道三楼会议室参会，汇报本季度吹哨事项办理和评价情况。",
        False,
    ),
)


def load_demo_workbench(*, district: Region, street: Region, community: Region) -> int:
    """Rows made (0 when already loaded)."""
    if Announcement.objects.filter(district=district).exists():
        return 0
    targets = {"district": district, "street": street}
    rows = 0
    for role, target, title, body, important in ANNOUNCEMENTS:
        actor = Actor.for_user(User.objects.get(username=f"demo-{role.replace('_', '-')}"))
        announcement_publish(
            actor=actor,
            region_id=targets[target].pk,
            title=title,
            body=body,
            important=important,
        )
        rows += 1
    liaison = Liaison.objects.filter(
        user__username="demo-department-liaison", department__isnull=False
    ).first()
    if liaison is not None:
        worker = User.objects.get(username="demo-community-worker")
        whistle_raise(
            actor=Actor.for_user(worker),
            community=community,
            title="站前小区3号楼地下车库燃气味道浓",
            description="居民反映3号楼地下车库有明显燃气味，物业已疏散车辆，需要派出所协助封控、燃气公司排查。",
            category="security",
            lead_department_id=liaison.department_id,
            urgency=WhistleUrgency.URGENT,
        )
        rows += 1
    return rows
