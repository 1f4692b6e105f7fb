"""Demo reference data: Jiaxing's regions, the plan's sectors, service points."""

from __future__ import annotations

from django.db import transaction

from surveys.models import Region, RegionKind, Sector, ServiceClass, ServicePoint

REGIONS = [
    ("nanhu", "南湖区", "Nanhu District", RegionKind.DISTRICT),
    ("xiuzhou", "秀洲区", "Xiuzhou District", RegionKind.DISTRICT),
    ("jiashan", "嘉善县", "Jiashan County", RegionKind.COUNTY),
    ("haiyan", "海盐县", "Haiyan County", RegionKind.COUNTY),
    ("haining", "海宁市", "Haining City", RegionKind.COUNTY_CITY),
    ("pinghu", "平湖市", "Pinghu City", RegionKind.COUNTY_CITY),
    ("tongxiang", "桐乡市", "Tongxiang City", RegionKind.COUNTY_CITY),
]

SECTORS = [
    ("education", "教育", "Education", ServiceClass.CONSUMER),
    ("public-transport", "公共交通", "Public transport", ServiceClass.CONSUMER),
    ("medical", "医疗卫生", "Medical care", ServiceClass.CONSUMER),
    ("elderly-care", "养老服务", "Elderly care", ServiceClass.CONSUMER),
    ("tourism", "旅游", "Tourism", ServiceClass.CONSUMER),
    ("finance", "金融", "Finance", ServiceClass.PRODUCER),
    ("logistics", "物流", "Logistics", ServiceClass.PRODUCER),
]

# (code, Chinese, English, sector, region)
SERVICE_POINTS = [
    (
        "nanhu-no1-middle-school",
        "南湖区第一中学",
        "Nanhu No. 1 Middle School",
        "education",
        "nanhu",
    ),
    (
        "haining-experimental-primary",
        "海宁市实验小学",
        "Haining Experimental Primary School",
        "education",
        "haining",
    ),
    (
        "tongxiang-vocational",
        "桐乡职业学校",
        "Tongxiang Vocational School",
        "education",
        "tongxiang",
    ),
    ("bus-k1", "K1路公交", "Bus line K1", "public-transport", "nanhu"),
    ("bus-18", "18路公交", "Bus line 18", "public-transport", "xiuzhou"),
    (
        "bus-jiashan-201",
        "嘉善201路公交",
        "Jiashan bus line 201",
        "public-transport",
        "jiashan",
    ),
    (
        "jiaxing-first-hospital",
        "嘉兴市第一医院",
        "Jiaxing First Hospital",
        "medical",
        "nanhu",
    ),
    (
        "haiyan-peoples-hospital",
        "海盐县人民医院",
        "Haiyan People's Hospital",
        "medical",
        "haiyan",
    ),
    (
        "pinghu-community-health",
        "平湖市社区卫生服务中心",
        "Pinghu Community Health Centre",
        "medical",
        "pinghu",
    ),
    (
        "xiuzhou-nursing-home",
        "秀洲区社会福利院",
        "Xiuzhou Social Welfare Home",
        "elderly-care",
        "xiuzhou",
    ),
    (
        "haining-elderly-day-centre",
        "海宁市居家养老服务中心",
        "Haining Elderly Day Centre",
        "elderly-care",
        "haining",
    ),
    ("wuzhen", "乌镇景区", "Wuzhen Scenic Area", "tourism", "tongxiang"),
    ("xitang", "西塘景区", "Xitang Scenic Area", "tourism", "jiashan"),
    (
        "haining-leather-city",
        "海宁中国皮革城",
        "Haining Leather City",
        "tourism",
        "haining",
    ),
    (
        "nanhu-fund-town-bank",
        "南湖基金小镇金融服务中心",
        "Nanhu Fund Town Financial Service Centre",
        "finance",
        "nanhu",
    ),
    (
        "pinghu-rural-credit",
        "平湖农商银行",
        "Pinghu Rural Commercial Bank",
        "finance",
        "pinghu",
    ),
    (
        "xiuzhou-smart-logistics",
        "秀洲智慧物流小镇",
        "Xiuzhou Smart Logistics Town",
        "logistics",
        "xiuzhou",
    ),
    (
        "jiaxing-port-logistics",
        "嘉兴港物流园",
        "Jiaxing Port Logistics Park",
        "logistics",
        "pinghu",
    ),
]


# More points per sector: with two or three service points (the PSUs) a
# sector's design has one or two degrees of freedom and a confidence interval
# as wide as the scale, which no city's fieldwork would accept.
SERVICE_POINTS += [
    (
        "jiaxing-no1-high-school",
        "嘉兴市第一中学",
        "Jiaxing No. 1 High School",
        "education",
        "nanhu",
    ),
    ("xiuzhou-high-school", "秀州中学", "Xiuzhou High School", "education", "xiuzhou"),
    (
        "jiashan-senior-high",
        "嘉善高级中学",
        "Jiashan Senior High School",
        "education",
        "jiashan",
    ),
    (
        "haiyan-yuanji-high",
        "海盐元济高级中学",
        "Haiyan Yuanji High School",
        "education",
        "haiyan",
    ),
    ("pinghu-middle-school", "平湖中学", "Pinghu Middle School", "education", "pinghu"),
    ("bus-5", "5路公交", "Bus line 5", "public-transport", "nanhu"),
    ("bus-29", "29路公交", "Bus line 29", "public-transport", "xiuzhou"),
    (
        "bus-haining-101",
        "海宁101路公交",
        "Haining bus line 101",
        "public-transport",
        "haining",
    ),
    (
        "bus-pinghu-303",
        "平湖303路公交",
        "Pinghu bus line 303",
        "public-transport",
        "pinghu",
    ),
    (
        "bus-tongxiang-k258",
        "桐乡K258路公交",
        "Tongxiang bus line K258",
        "public-transport",
        "tongxiang",
    ),
    (
        "jiaxing-second-hospital",
        "嘉兴市第二医院",
        "Jiaxing Second Hospital",
        "medical",
        "nanhu",
    ),
    (
        "jiaxing-tcm-hospital",
        "嘉兴市中医医院",
        "Jiaxing Hospital of Traditional Chinese Medicine",
        "medical",
        "xiuzhou",
    ),
    (
        "haining-peoples-hospital",
        "海宁市人民医院",
        "Haining People's Hospital",
        "medical",
        "haining",
    ),
    (
        "tongxiang-first-hospital",
        "桐乡市第一人民医院",
        "Tongxiang First People's Hospital",
        "medical",
        "tongxiang",
    ),
    (
        "jiashan-first-hospital",
        "嘉善县第一人民医院",
        "Jiashan First People's Hospital",
        "medical",
        "jiashan",
    ),
    (
        "nanhu-welfare-centre",
        "南湖区社会福利中心",
        "Nanhu Social Welfare Centre",
        "elderly-care",
        "nanhu",
    ),
    (
        "jiashan-welfare-centre",
        "嘉善县社会福利中心",
        "Jiashan Social Welfare Centre",
        "elderly-care",
        "jiashan",
    ),
    (
        "haiyan-nursing-home",
        "海盐县颐养院",
        "Haiyan Care Home",
        "elderly-care",
        "haiyan",
    ),
    (
        "pinghu-day-centre",
        "平湖市居家养老服务中心",
        "Pinghu Elderly Day Centre",
        "elderly-care",
        "pinghu",
    ),
    (
        "tongxiang-welfare-home",
        "桐乡市社会福利院",
        "Tongxiang Social Welfare Home",
        "elderly-care",
        "tongxiang",
    ),
    (
        "nanhu-day-centre",
        "南湖区居家养老服务中心",
        "Nanhu Elderly Day Centre",
        "elderly-care",
        "nanhu",
    ),
    ("south-lake", "南湖景区", "South Lake Scenic Area", "tourism", "nanhu"),
    ("yuehe-street", "月河历史街区", "Yuehe Historic District", "tourism", "nanhu"),
    (
        "yanguan-tidal-bore",
        "盐官观潮景区",
        "Yanguan Tidal Bore Scenic Area",
        "tourism",
        "haining",
    ),
    ("nanbei-lake", "南北湖景区", "Nanbei Lake Scenic Area", "tourism", "haiyan"),
    (
        "jiulong-mountain",
        "九龙山景区",
        "Jiulong Mountain Scenic Area",
        "tourism",
        "pinghu",
    ),
    (
        "jiaxing-bank-service",
        "嘉兴银行普惠金融服务中心",
        "Bank of Jiaxing Inclusive Finance Centre",
        "finance",
        "xiuzhou",
    ),
    (
        "haining-sme-finance",
        "海宁市小微企业金融服务中心",
        "Haining Small Business Finance Centre",
        "finance",
        "haining",
    ),
    (
        "tongxiang-credit-union",
        "桐乡农商银行",
        "Tongxiang Rural Commercial Bank",
        "finance",
        "tongxiang",
    ),
    (
        "jiashan-finance-hub",
        "嘉善县金融服务中心",
        "Jiashan Financial Service Centre",
        "finance",
        "jiashan",
    ),
    (
        "haiyan-insurance-centre",
        "海盐县保险服务中心",
        "Haiyan Insurance Service Centre",
        "finance",
        "haiyan",
    ),
    (
        "tongxiang-express-park",
        "桐乡快递物流园",
        "Tongxiang Express Logistics Park",
        "logistics",
        "tongxiang",
    ),
    (
        "haining-logistics-centre",
        "海宁物流中心",
        "Haining Logistics Centre",
        "logistics",
        "haining",
    ),
    (
        "jiashan-cold-chain",
        "嘉善冷链物流中心",
        "Jiashan Cold-Chain Logistics Centre",
        "logistics",
        "jiashan",
    ),
    (
        "nanhu-freight-station",
        "南湖货运站",
        "Nanhu Freight Station",
        "logistics",
        "nanhu",
    ),
    (
        "haiyan-port-logistics",
        "海盐港区物流园",
        "Haiyan Port Logistics Park",
        "logistics",
        "haiyan",
    ),
]


@transaction.atomic
def load_reference_data() -> None:
    """Create or update the demo regions, sectors and service points."""
    for code, name, name_en, kind in REGIONS:
        Region.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "kind": kind}
        )
    for order, (code, name, name_en, service_class) in enumerate(SECTORS):
        Sector.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "service_class": service_class,
                "sort_order": order,
            },
        )
    sectors = {s.code: s for s in Sector.objects.all()}
    regions = {r.code: r for r in Region.objects.all()}
    for code, name, name_en, sector, region in SERVICE_POINTS:
        ServicePoint.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "sector": sectors[sector],
                "region": regions[region],
            },
        )


# ---------------------------------------------------------------------------
# Demo questionnaires, question bank and synthetic responses.
# ---------------------------------------------------------------------------


def load_demo_surveys(*, responses: bool = True) -> list:
    """Question sets, two waves of surveys per sector and synthetic responses."""
    from surveys.demo_surveys import ensure_demo_surveys

    return ensure_demo_surveys(responses=responses)
