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
