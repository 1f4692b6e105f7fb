"""Demo reference data: Jiaxing's regions, the plan's sectors, service points."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Model

from surveys.models import Region, RegionKind, Sector, ServiceClass, ServicePoint

REGION_COLUMNS = ("code", "name", "name_en", "kind")
# in the administrative order of their division codes (330402 Nanhu ... 330483
# Tongxiang), which officials read them in: their sort_order
REGIONS = [
    ("nanhu", "南湖区", "Nanhu District", RegionKind.DISTRICT),
    ("xiuzhou", "秀洲区", "Xiuzhou District", RegionKind.DISTRICT),
    ("jiashan", "嘉善县", "Jiashan County", RegionKind.COUNTY),
    ("haiyan", "海盐县", "Haiyan County", RegionKind.COUNTY),
    ("haining", "海宁市", "Haining City", RegionKind.COUNTY_CITY),
    ("pinghu", "平湖市", "Pinghu City", RegionKind.COUNTY_CITY),
    ("tongxiang", "桐乡市", "Tongxiang City", RegionKind.COUNTY_CITY),
]

# in display order (their sort_order)
SECTOR_COLUMNS = ("code", "name", "name_en", "service_class")
SECTORS = [
    ("education", "教育", "Education", ServiceClass.CONSUMER),
    ("public-transport", "公共交通", "Public transport", ServiceClass.CONSUMER),
    ("medical", "医疗卫生", "Medical care", ServiceClass.CONSUMER),
    ("elderly-care", "养老服务", "Elderly care", ServiceClass.CONSUMER),
    ("tourism", "旅游", "Tourism", ServiceClass.CONSUMER),
    ("finance", "金融", "Finance", ServiceClass.PRODUCER),
    ("logistics", "物流", "Logistics", ServiceClass.PRODUCER),
]

# One row per service point (sector, region, code, name, name_en). At least two
# points of a sector in every district where it has one: the district x sector
# grid's interval needs two PSUs (service points) in the cell, and with one the
# cell shows no interval and no verdict.
SERVICE_POINTS_FILE = Path(__file__).with_name("demo_service_points.csv")


def service_points() -> list[dict[str, str]]:
    """The demo's service points, as rows of ``SERVICE_POINTS_FILE``."""
    with SERVICE_POINTS_FILE.open(encoding="utf-8", newline="") as table:
        return list(csv.DictReader(table))


def _upsert(model: type[Model], rows: Iterable[dict[str, Any]]) -> None:
    """Create or update one ``model`` instance per row, keyed by its ``code``."""
    for row in rows:
        defaults = {field: value for field, value in row.items() if field != "code"}
        model.objects.update_or_create(code=row["code"], defaults=defaults)


def _in_order(columns: tuple[str, ...], rows: list[tuple]) -> Iterable[dict[str, Any]]:
    """``rows`` as field values, each with its place in the list as sort order."""
    for order, row in enumerate(rows):
        yield {**dict(zip(columns, row, strict=True)), "sort_order": order}


@transaction.atomic
def load_reference_data() -> None:
    """Create or update the demo regions, sectors and service points."""
    _upsert(Region, _in_order(REGION_COLUMNS, REGIONS))
    _upsert(Sector, _in_order(SECTOR_COLUMNS, SECTORS))
    sectors = {s.code: s for s in Sector.objects.all()}
    regions = {r.code: r for r in Region.objects.all()}
    _upsert(
        ServicePoint,
        (
            {**row, "sector": sectors[row["sector"]], "region": regions[row["region"]]}
            for row in service_points()
        ),
    )


# ---------------------------------------------------------------------------
# Demo questionnaires, question bank and synthetic responses.
# ---------------------------------------------------------------------------


def load_demo_surveys(*, responses: bool = True) -> list:
    """Question sets, two waves of surveys per sector and synthetic responses."""
    from surveys.demo_surveys import ensure_demo_surveys

    return ensure_demo_surveys(responses=responses)
