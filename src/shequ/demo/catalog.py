"""The demo district's catalog of community public-service items (公共服务事项清单).

Modelled on the lists districts publish: code, name, category, responsible
department, legal basis, materials, legal and promised working days, kind,
fee, 代办 and 网办. ``load_demo_catalog`` writes what is missing and nothing
else, so running it twice writes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from shequ.core.models import Region, RegionLevel, User
from shequ.desk.models import (
    Category as C,
)
from shequ.desk.models import (
    CommunityItem,
    ItemKind,
    Qualification,
    ServiceItem,
    ServiceItemVersion,
    Window,
)

K = ItemKind
ORIG, COPY, BOTH = "原件", "复印件", "原件和复印件"

# Materials: (name, original or copy, key material)
ID_CARD = ("居民身份证", BOTH, True)
HUKOU = ("户口簿", ORIG, True)
PHOTO = ("近期一寸免冠彩色照片", ORIG, False)
BANK = ("本人银行账户（社保卡）", COPY, False)
APPLY = ("申请表", ORIG, True)
INCOME = ("家庭收入情况声明", ORIG, True)
MARRIAGE = ("结婚证", COPY, False)
DISABILITY = ("残疾人证", BOTH, True)
MEDICAL = ("二级以上医院诊断证明", ORIG, True)
VETERAN = ("退役证件或入伍批准书", BOTH, True)
LEASE = ("房屋租赁合同或房产证明", COPY, False)
PROXY = ("代办人身份证及委托书", ORIG, False)

CIVIL_DEPT = "区民政局"
HRSS_DEPT = "区人力资源和社会保障局"
HEALTH_DEPT = "区卫生健康局"
DPF_DEPT = "区残疾人联合会"
VET_DEPT = "区退役军人事务局"
HOUSING_DEPT = "区住房和城乡建设局"
MED_INS_DEPT = "区医疗保障局"
POLICE_DEPT = "区公安分局"
STREET = "街道办事处"


@dataclass(frozen=True)
class DemoItem:
    code: str
    name: str
    category: str
    department: str
    legal_basis: str
    materials: tuple[tuple[str, str, bool], ...]
    legal_days: int
    promised_days: int
    kind: str
    fee: str = "0"
    proxy: bool = False
    online: bool = False


def _i(
    code, name, cat, dept, basis, mats, legal, promised, kind, fee="0", proxy=False, online=False
):
    return DemoItem(
        code, name, cat, dept, basis, tuple(mats), legal, promised, kind, fee, proxy, online
    )


ITEMS: tuple[DemoItem, ...] = (
    # 社会保障
    _i(
        "SB-001",
        "城乡居民基本养老保险参保登记",
        C.SOCIAL_SECURITY,
        HRSS_DEPT,
        "《中华人民共和国社会保险法》第二十条；《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
        [ID_CARD, HUKOU, ("城乡居民基本养老保险参保登记表", ORIG, True)],
        5,
        0,
        K.IMMEDIATE,
        proxy=True,
        online=True,
    ),
    _i(
        "SB-002",
        "城乡居民基本养老保险待遇申领",
        C.SOCIAL_SECURITY,
        HRSS_DEPT,
        "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
        [ID_CARD, HUKOU, BANK, ("城乡居民基本养老保险待遇申领表", ORIG, True)],
        20,
        10,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "SB-003",
        "城乡居民基本医疗保险参保登记",
        C.SOCIAL_SECURITY,
        MED_INS_DEPT,
        "《中华人民共和国社会保险法》第二十五条",
        [ID_CARD, HUKOU],
        5,
        0,
        K.IMMEDIATE,
        proxy=True,
        online=True,
    ),
    _i(
        "SB-004",
        "城乡居民医疗保险缴费信息变更",
        C.SOCIAL_SECURITY,
        MED_INS_DEPT,
        "《社会保险费征缴暂行条例》",
        [ID_CARD, ("参保信息变更登记表", ORIG, True)],
        5,
        0,
        K.IMMEDIATE,
        online=True,
    ),
    _i(
        "SB-005",
        "社会保障卡申领",
        C.SOCIAL_SECURITY,
        HRSS_DEPT,
        "《社会保障卡管理办法》",
        [ID_CARD, PHOTO, ("社会保障卡申领登记表", ORIG, True)],
        15,
        10,
        K.FORWARDED,
        proxy=True,
        online=True,
    ),
    _i(
        "SB-006",
        "社会保障卡挂失与补换",
        C.SOCIAL_SECURITY,
        HRSS_DEPT,
        "《社会保障卡管理办法》",
        [ID_CARD, PHOTO],
        15,
        7,
        K.FORWARDED,
        fee="20",
        online=True,
    ),
    _i(
        "SB-007",
        "领取养老金人员资格认证",
        C.SOCIAL_SECURITY,
        HRSS_DEPT,
        "《人力资源社会保障部关于印发社会保险待遇资格认证经办规程的通知》",
        [ID_CARD],
        5,
        0,
        K.IMMEDIATE,
        proxy=True,
        online=True,
    ),
    # 民政救助
    _i(
        "MZ-001",
        "最低生活保障申请",
        C.CIVIL_ASSISTANCE,
        CIVIL_DEPT,
        "《社会救助暂行办法》第九条至第十三条；《最低生活保障审核确认办法》",
        [
            ID_CARD,
            HUKOU,
            APPLY,
            INCOME,
            ("家庭经济状况核对授权书", ORIG, True),
            MARRIAGE,
            MEDICAL[:2] + (False,),
        ],
        30,
        20,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "MZ-002",
        "特困人员救助供养申请",
        C.CIVIL_ASSISTANCE,
        CIVIL_DEPT,
        "《社会救助暂行办法》第十四条至第二十条；《特困人员认定办法》",
        [ID_CARD, HUKOU, APPLY, INCOME, ("劳动能力鉴定或残疾证明", COPY, False)],
        30,
        20,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "MZ-003",
        "临时救助申请",
        C.CIVIL_ASSISTANCE,
        CIVIL_DEPT,
        "《社会救助暂行办法》第四十七条至第五十条",
        [ID_CARD, APPLY, ("困难情况说明及相关证明", BOTH, True), BANK],
        15,
        10,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "MZ-004",
        "低收入家庭认定申请",
        C.CIVIL_ASSISTANCE,
        CIVIL_DEPT,
        "《民政部 财政部 国家乡村振兴局关于印发〈低收入人口认定办法〉的通知》",
        [ID_CARD, HUKOU, APPLY, INCOME],
        30,
        20,
        K.FORWARDED,
    ),
    _i(
        "MZ-005",
        "孤儿基本生活费申领",
        C.CIVIL_ASSISTANCE,
        CIVIL_DEPT,
        "《国务院办公厅关于加强孤儿保障工作的意见》",
        [HUKOU, ("父母死亡证明或宣告死亡判决书", COPY, True), ("监护人身份证", COPY, True), APPLY],
        30,
        20,
        K.FORWARDED,
    ),
    _i(
        "MZ-006",
        "事实无人抚养儿童认定",
        C.CIVIL_ASSISTANCE,
        CIVIL_DEPT,
        "《关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）",
        [HUKOU, ("父母情况证明材料", COPY, True), APPLY],
        30,
        20,
        K.FORWARDED,
    ),
    _i(
        "MZ-007",
        "困难群众医疗救助申请",
        C.CIVIL_ASSISTANCE,
        MED_INS_DEPT,
        "《社会救助暂行办法》第二十七条至第三十二条",
        [ID_CARD, ("医疗费用票据及清单", ORIG, True), ("出院小结", COPY, True), BANK],
        20,
        15,
        K.FORWARDED,
        proxy=True,
    ),
    # 养老服务
    _i(
        "YL-001",
        "高龄津贴申领",
        C.ELDERLY,
        CIVIL_DEPT,
        "《中华人民共和国老年人权益保障法》第三十三条；区高龄津贴发放办法",
        [ID_CARD, HUKOU, BANK],
        15,
        5,
        K.PROMISED,
        proxy=True,
        online=True,
    ),
    _i(
        "YL-002",
        "经济困难老年人养老服务补贴申请",
        C.ELDERLY,
        CIVIL_DEPT,
        "《关于建立健全经济困难的高龄、失能等老年人补贴制度的通知》（财社〔2014〕113号）",
        [ID_CARD, HUKOU, INCOME, ("老年人能力评估报告", ORIG, True)],
        20,
        15,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "YL-003",
        "老年人能力评估申请",
        C.ELDERLY,
        CIVIL_DEPT,
        "《老年人能力评估规范》（GB/T 42195-2022）",
        [ID_CARD, ("老年人能力评估申请表", ORIG, True)],
        20,
        10,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "YL-004",
        "居家养老服务申请",
        C.ELDERLY,
        CIVIL_DEPT,
        "《国务院关于加快发展养老服务业的若干意见》",
        [ID_CARD, ("居家养老服务申请表", ORIG, True)],
        10,
        5,
        K.PROMISED,
        proxy=True,
        online=True,
    ),
    _i(
        "YL-005",
        "老年人优待证办理",
        C.ELDERLY,
        CIVIL_DEPT,
        "《中华人民共和国老年人权益保障法》第五十七条",
        [ID_CARD, PHOTO],
        10,
        3,
        K.PROMISED,
        proxy=True,
        online=True,
    ),
    _i(
        "YL-006",
        "老年助餐服务登记",
        C.ELDERLY,
        CIVIL_DEPT,
        "《积极发展老年助餐服务行动方案》（民发〔2023〕58号）",
        [ID_CARD],
        5,
        0,
        K.IMMEDIATE,
        proxy=True,
    ),
    _i(
        "YL-007",
        "特殊困难老年人探访关爱登记",
        C.ELDERLY,
        CIVIL_DEPT,
        "《民政部等部门关于开展特殊困难老年人探访关爱服务的指导意见》",
        [ID_CARD, ("紧急联系人信息表", ORIG, False)],
        5,
        0,
        K.IMMEDIATE,
        proxy=True,
    ),
    # 残疾人服务
    _i(
        "CJ-001",
        "残疾人证办理初审",
        C.DISABILITY,
        DPF_DEPT,
        "《中华人民共和国残疾人证管理办法》",
        [ID_CARD, HUKOU, ("近期二寸免冠彩色照片", ORIG, True), ("残疾人证申请表", ORIG, True)],
        20,
        10,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "CJ-002",
        "残疾人证换领与补办",
        C.DISABILITY,
        DPF_DEPT,
        "《中华人民共和国残疾人证管理办法》",
        [ID_CARD, DISABILITY, PHOTO],
        20,
        10,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "CJ-003",
        "困难残疾人生活补贴申请",
        C.DISABILITY,
        DPF_DEPT,
        "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
        [ID_CARD, DISABILITY, APPLY, BANK],
        20,
        15,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "CJ-004",
        "重度残疾人护理补贴申请",
        C.DISABILITY,
        DPF_DEPT,
        "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
        [ID_CARD, DISABILITY, APPLY, BANK],
        20,
        15,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "CJ-005",
        "残疾人辅助器具适配申请",
        C.DISABILITY,
        DPF_DEPT,
        "《残疾人辅助器具适配服务规范》",
        [ID_CARD, DISABILITY, ("辅助器具适配申请表", ORIG, True)],
        20,
        10,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "CJ-006",
        "残疾人家庭无障碍改造申请",
        C.DISABILITY,
        DPF_DEPT,
        "《无障碍环境建设法》第二十四条",
        [ID_CARD, DISABILITY, LEASE, APPLY],
        30,
        20,
        K.FORWARDED,
        proxy=True,
    ),
    # 卫生健康
    _i(
        "WS-001",
        "生育登记",
        C.HEALTH,
        HEALTH_DEPT,
        "《中华人民共和国人口与计划生育法》第二十条；《生育登记服务管理办法》",
        [("夫妻双方居民身份证", COPY, True), MARRIAGE[:2] + (True,), HUKOU],
        5,
        0,
        K.IMMEDIATE,
        online=True,
    ),
    _i(
        "WS-002",
        "计划生育家庭特别扶助金申请",
        C.HEALTH,
        HEALTH_DEPT,
        "《全国独生子女伤残死亡家庭扶助制度试点方案》",
        [
            ID_CARD,
            HUKOU,
            MARRIAGE,
            ("独生子女证或相关证明", COPY, True),
            ("子女伤残或死亡证明", COPY, True),
        ],
        30,
        20,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "WS-003",
        "农村部分计划生育家庭奖励扶助申请",
        C.HEALTH,
        HEALTH_DEPT,
        "《农村部分计划生育家庭奖励扶助制度试点方案》",
        [ID_CARD, HUKOU, MARRIAGE, APPLY],
        30,
        20,
        K.FORWARDED,
    ),
    _i(
        "WS-004",
        "家庭医生签约服务",
        C.HEALTH,
        HEALTH_DEPT,
        "《关于推进家庭医生签约服务的指导意见》（国医改办发〔2016〕1号）",
        [ID_CARD, ("医保卡", ORIG, False)],
        5,
        0,
        K.IMMEDIATE,
        proxy=True,
        online=True,
    ),
    _i(
        "WS-005",
        "老年人免费健康体检预约",
        C.HEALTH,
        HEALTH_DEPT,
        "《国家基本公共卫生服务规范（第三版）》",
        [ID_CARD],
        5,
        0,
        K.IMMEDIATE,
        proxy=True,
        online=True,
    ),
    _i(
        "WS-006",
        "严重精神障碍患者监护补贴申请",
        C.HEALTH,
        HEALTH_DEPT,
        "《中华人民共和国精神卫生法》",
        [ID_CARD, ("监护人身份证", COPY, True), MEDICAL, APPLY],
        20,
        15,
        K.FORWARDED,
    ),
    _i(
        "WS-007",
        "出生医学证明首次签发预约",
        C.HEALTH,
        HEALTH_DEPT,
        "《中华人民共和国母婴保健法》第二十三条",
        [("父母双方居民身份证", COPY, True), ("新生儿出院记录", COPY, True)],
        10,
        5,
        K.FORWARDED,
    ),
    # 就业创业
    _i(
        "JY-001",
        "就业失业登记",
        C.EMPLOYMENT,
        HRSS_DEPT,
        "《就业服务与就业管理规定》第六十一条至第六十五条",
        [ID_CARD, PHOTO, ("就业失业登记表", ORIG, True)],
        5,
        0,
        K.IMMEDIATE,
        online=True,
    ),
    _i(
        "JY-002",
        "就业困难人员认定",
        C.EMPLOYMENT,
        HRSS_DEPT,
        "《中华人民共和国就业促进法》第五十二条",
        [ID_CARD, ("就业困难人员认定申请表", ORIG, True), ("困难类别证明材料", COPY, True)],
        15,
        10,
        K.FORWARDED,
    ),
    _i(
        "JY-003",
        "灵活就业人员社会保险补贴申请",
        C.EMPLOYMENT,
        HRSS_DEPT,
        "《就业补助资金管理办法》（财社〔2017〕164号）",
        [ID_CARD, ("社会保险缴费凭证", COPY, True), BANK],
        20,
        15,
        K.FORWARDED,
        online=True,
    ),
    _i(
        "JY-004",
        "创业担保贷款申请初审",
        C.EMPLOYMENT,
        HRSS_DEPT,
        "《创业担保贷款实施办法》",
        [ID_CARD, ("营业执照", COPY, True), ("创业计划书", ORIG, True), MARRIAGE],
        20,
        10,
        K.FORWARDED,
    ),
    _i(
        "JY-005",
        "职业技能培训报名",
        C.EMPLOYMENT,
        HRSS_DEPT,
        "《职业技能提升行动方案（2019—2021年）》",
        [ID_CARD, ("学历证明", COPY, False)],
        5,
        0,
        K.IMMEDIATE,
        online=True,
    ),
    _i(
        "JY-006",
        "失业保险金申领",
        C.EMPLOYMENT,
        HRSS_DEPT,
        "《失业保险条例》第十四条至第十六条",
        [ID_CARD, ("解除或终止劳动合同证明", ORIG, True), BANK],
        10,
        5,
        K.FORWARDED,
        online=True,
    ),
    _i(
        "JY-007",
        "公益性岗位申请",
        C.EMPLOYMENT,
        HRSS_DEPT,
        "《就业补助资金管理办法》",
        [ID_CARD, ("就业困难人员认定证明", COPY, True)],
        15,
        10,
        K.FORWARDED,
    ),
    # 退役军人
    _i(
        "TY-001",
        "退役军人优待证申领",
        C.VETERANS,
        VET_DEPT,
        "《退役军人、其他优抚对象优待证管理办法（试行）》",
        [ID_CARD, VETERAN, PHOTO],
        30,
        20,
        K.FORWARDED,
        proxy=True,
        online=True,
    ),
    _i(
        "TY-002",
        "退役军人信息采集",
        C.VETERANS,
        VET_DEPT,
        "《中华人民共和国退役军人保障法》第十四条",
        [ID_CARD, VETERAN, HUKOU],
        5,
        0,
        K.IMMEDIATE,
        proxy=True,
    ),
    _i(
        "TY-003",
        "光荣牌悬挂申请",
        C.VETERANS,
        VET_DEPT,
        "《关于做好为烈军属、退役军人等家庭悬挂光荣牌工作的通知》",
        [ID_CARD, VETERAN],
        10,
        5,
        K.PROMISED,
    ),
    _i(
        "TY-004",
        "重点优抚对象定期抚恤补助申请",
        C.VETERANS,
        VET_DEPT,
        "《军人抚恤优待条例》",
        [ID_CARD, VETERAN, APPLY, BANK],
        30,
        20,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "TY-005",
        "退役军人就业创业服务登记",
        C.VETERANS,
        VET_DEPT,
        "《中华人民共和国退役军人保障法》第三十三条",
        [ID_CARD, VETERAN],
        5,
        0,
        K.IMMEDIATE,
    ),
    _i(
        "TY-006",
        "烈士褒扬金及遗属抚恤申请初审",
        C.VETERANS,
        VET_DEPT,
        "《烈士褒扬条例》",
        [
            ("烈士证明书", COPY, True),
            ("遗属身份证及户口簿", COPY, True),
            ("亲属关系证明", ORIG, True),
        ],
        30,
        20,
        K.FORWARDED,
        proxy=True,
    ),
    # 住房保障
    _i(
        "ZF-001",
        "公租房申请初审",
        C.HOUSING,
        HOUSING_DEPT,
        "《公共租赁住房管理办法》（住房和城乡建设部令第11号）",
        [ID_CARD, HUKOU, INCOME, ("住房情况证明", ORIG, True), MARRIAGE, APPLY],
        30,
        20,
        K.FORWARDED,
    ),
    _i(
        "ZF-002",
        "廉租住房租赁补贴申请",
        C.HOUSING,
        HOUSING_DEPT,
        "《廉租住房保障办法》",
        [ID_CARD, HUKOU, INCOME, LEASE, APPLY],
        30,
        20,
        K.FORWARDED,
    ),
    _i(
        "ZF-003",
        "保障性住房资格年审",
        C.HOUSING,
        HOUSING_DEPT,
        "《公共租赁住房管理办法》第二十九条",
        [ID_CARD, INCOME, ("保障性住房资格证明", COPY, True)],
        20,
        15,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "ZF-004",
        "老旧小区加装电梯意见征询备案",
        C.HOUSING,
        HOUSING_DEPT,
        "《关于全面推进城镇老旧小区改造工作的指导意见》（国办发〔2020〕23号）",
        [
            ("业主书面意见汇总表", ORIG, True),
            ("加装电梯设计方案", COPY, True),
            ("业主身份证明", COPY, False),
        ],
        20,
        15,
        K.FORWARDED,
    ),
    _i(
        "ZF-005",
        "住房困难家庭认定",
        C.HOUSING,
        HOUSING_DEPT,
        "《城镇最低收入家庭廉租住房管理办法》",
        [ID_CARD, HUKOU, ("住房情况证明", ORIG, True), APPLY],
        20,
        15,
        K.FORWARDED,
    ),
    _i(
        "ZF-006",
        "住房公积金提取（租房）初审",
        C.HOUSING,
        "区住房公积金管理中心",
        "《住房公积金管理条例》第二十四条",
        [ID_CARD, LEASE, BANK],
        5,
        3,
        K.FORWARDED,
        online=True,
    ),
    # 证明开具
    _i(
        "ZM-001",
        "居住证明开具",
        C.CERTIFICATE,
        STREET,
        "《居住证暂行条例》；区社区证明事项清单",
        [ID_CARD, LEASE, ("房东或物业证明", ORIG, False)],
        3,
        0,
        K.IMMEDIATE,
        proxy=True,
    ),
    _i(
        "ZM-002",
        "居住证申领受理",
        C.CERTIFICATE,
        POLICE_DEPT,
        "《居住证暂行条例》第九条",
        [ID_CARD, PHOTO, LEASE, ("就业或就学证明", COPY, False)],
        15,
        10,
        K.FORWARDED,
    ),
    _i(
        "ZM-003",
        "家庭经济困难证明开具",
        C.CERTIFICATE,
        STREET,
        "区社区证明事项清单",
        [ID_CARD, HUKOU, INCOME],
        3,
        0,
        K.IMMEDIATE,
    ),
    _i(
        "ZM-004",
        "独生子女父母光荣证补办",
        C.CERTIFICATE,
        HEALTH_DEPT,
        "《中华人民共和国人口与计划生育法》第二十七条",
        [ID_CARD, MARRIAGE, HUKOU, PHOTO],
        10,
        5,
        K.PROMISED,
    ),
    _i(
        "ZM-005",
        "未婚证明（协查回复）",
        C.CERTIFICATE,
        CIVIL_DEPT,
        "区社区证明事项清单（保留项）",
        [ID_CARD, HUKOU, ("外地单位协查函", ORIG, True)],
        5,
        3,
        K.PROMISED,
    ),
    _i(
        "ZM-006",
        "社区工作经历证明开具",
        C.CERTIFICATE,
        STREET,
        "区社区证明事项清单",
        [ID_CARD, ("参加社区服务记录", COPY, False)],
        3,
        0,
        K.IMMEDIATE,
    ),
    _i(
        "ZM-007",
        "养犬登记居住地确认",
        C.CERTIFICATE,
        POLICE_DEPT,
        "《城市养犬管理规定》（区）",
        [ID_CARD, LEASE, ("犬只免疫证明", ORIG, True)],
        5,
        3,
        K.PROMISED,
        fee="0",
    ),
    # 其他
    _i(
        "QT-001",
        "社区公益性岗位推荐",
        C.OTHER,
        STREET,
        "区社区服务事项清单",
        [ID_CARD, APPLY],
        10,
        5,
        K.PROMISED,
    ),
    _i(
        "QT-002",
        "志愿者注册登记",
        C.OTHER,
        "共青团区委",
        "《志愿服务条例》第七条",
        [ID_CARD],
        3,
        0,
        K.IMMEDIATE,
        online=True,
    ),
    _i(
        "QT-003",
        "社区活动场地使用申请",
        C.OTHER,
        STREET,
        "区社区公益设施开放管理办法",
        [ID_CARD, ("活动方案", ORIG, True)],
        5,
        2,
        K.PROMISED,
        online=True,
    ),
    _i(
        "QT-004",
        "流动人口信息登记",
        C.OTHER,
        POLICE_DEPT,
        "《居住证暂行条例》第十二条",
        [ID_CARD, LEASE],
        3,
        0,
        K.IMMEDIATE,
    ),
    _i(
        "QT-005",
        "法律援助申请初审",
        C.OTHER,
        "区司法局",
        "《中华人民共和国法律援助法》第三十八条",
        [ID_CARD, ("经济困难状况说明表", ORIG, True), ("案件相关材料", COPY, True)],
        7,
        5,
        K.FORWARDED,
        proxy=True,
    ),
    _i(
        "QT-006",
        "人民调解申请",
        C.OTHER,
        "区司法局",
        "《中华人民共和国人民调解法》第十七条",
        [ID_CARD, ("纠纷情况说明", ORIG, True)],
        30,
        15,
        K.PROMISED,
    ),
    _i(
        "QT-007",
        "户籍迁入社区集体户初审",
        C.OTHER,
        POLICE_DEPT,
        "《中华人民共和国户口登记条例》",
        [ID_CARD, HUKOU, ("准予迁入证明", ORIG, True)],
        10,
        5,
        K.FORWARDED,
    ),
)

# Extra form fields for a few items, as the catalog describes them.
FORM_FIELDS: dict[str, list[dict]] = {
    "MZ-001": [
        {"name": "家庭人口数", "type": "number", "required": True, "options": []},
        {"name": "申请原因", "type": "choice", "required": True,
         "options": ["因病", "因残", "失业", "其他"]},
    ],
    "MZ-003": [
        {"name": "困难发生日期", "type": "date", "required": True, "options": []},
        {"name": "困难类型", "type": "choice", "required": True,
         "options": ["急难型", "支出型"]},
    ],
    "ZM-001": [{"name": "证明用途", "type": "text", "required": True, "options": []}],
    "WS-001": [{"name": "孩次", "type": "choice", "required": True,
                "options": ["一孩", "二孩", "三孩"]}],
}  # fmt: skip

# Comprehensive windows per community: 1 to 3, by the community's place in the list.
WINDOWS_BY_POSITION = (2, 1, 3)
GENERALIST_TRAINED_ON = dt.date(2026, 3, 20)


def _materials(item: DemoItem) -> list[dict]:
    return [
        {"name": n, "original_or_copy": f, "key": k, "template": ""} for n, f, k in item.materials
    ]


def load_demo_catalog(
    district: Region,
    *,
    generalists: Iterable[tuple[User, Region]] = (),
    now: dt.datetime | None = None,
) -> int:
    """Write the catalog items, community adoptions, windows and generalist
    qualifications that are missing; returns how many rows it wrote (0 on a
    second run)."""
    now = now or timezone.now()
    existing = set(ServiceItem.objects.filter(district=district).values_list("code", flat=True))
    written = 0
    for item in ITEMS:
        if item.code in existing:
            continue
        row = ServiceItem.objects.create(
            district=district,
            code=item.code,
            name=item.name,
            category=item.category,
            department=item.department,
        )
        version = ServiceItemVersion.objects.create(
            item=row,
            district=district,
            number=1,
            name=item.name,
            category=item.category,
            department=item.department,
            legal_basis=item.legal_basis,
            materials=_materials(item),
            legal_days=item.legal_days,
            promised_days=item.promised_days,
            kind=item.kind,
            fee=item.fee,
            proxy_allowed=item.proxy,
            online_allowed=item.online,
            form_fields=FORM_FIELDS.get(item.code, []),
            published_at=now,
            created_by=None,
        )
        row.current_version = version
        row.save(update_fields=["current_version"])
        written += 2
    written += _adopt(district, now)
    written += _windows(district)
    for worker, community in generalists:
        written += _qualify(worker, community)
    return written


def _adopt(district: Region, now: dt.datetime) -> int:
    """Every community offers most items: it skips one in seven, by position."""
    items = list(
        ServiceItem.objects.filter(district=district, retired_at__isnull=True)
        .order_by("code")
        .values_list("id", flat=True)
    )
    communities = list(
        Region.objects.filter(district=district, level=RegionLevel.COMMUNITY)
        .order_by("code")
        .values_list("id", flat=True)
    )
    have = set(
        CommunityItem.objects.filter(district=district).values_list("community_id", "item_id")
    )
    rows = [
        CommunityItem(district=district, community_id=c, item_id=i, adopted_at=now, active=True)
        for n, c in enumerate(communities)
        for k, i in enumerate(items)
        if (k + n) % 7 != 6 and (c, i) not in have
    ]
    CommunityItem.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _windows(district: Region) -> int:
    communities = Region.objects.filter(district=district, level=RegionLevel.COMMUNITY).order_by(
        "code"
    )
    have = set(Window.objects.filter(district=district).values_list("community_id", "name"))
    rows = [
        Window(district=district, community=c, name=f"{w}号综合窗口")
        for n, c in enumerate(communities)
        for w in range(1, WINDOWS_BY_POSITION[n % len(WINDOWS_BY_POSITION)] + 1)
        if (c.pk, f"{w}号综合窗口") not in have
    ]
    Window.objects.bulk_create(rows)
    return len(rows)


def _qualify(worker: User, community: Region) -> int:
    """A demo worker is a trained generalist (全科) of their community."""
    if Qualification.objects.filter(worker=worker, community=community).exists():
        return 0
    Qualification.objects.create(
        district_id=community.district_id,
        community=community,
        worker=worker,
        all_categories=True,
        categories=[],
        granted_at=GENERALIST_TRAINED_ON,
        basis="2026年全科社工培训考核合格",
        granted_by=None,
    )
    return 1
