"""The demo's service points give every cell of the officials' district x
sector grid an interval: the design-based variance of a cell needs two service
points (PSUs) in it. Read from the demo data; no database."""

from collections import Counter

from surveys.demo import REGIONS, SECTORS, service_points
from surveys.demo_responses import RESPONSES_PER_SURVEY


def test_every_district_where_a_sector_has_a_service_point_has_two():
    cells = Counter((point["sector"], point["region"]) for point in service_points())
    single = sorted(cell for cell, count in cells.items() if count < 2)
    assert cells and single == []


def test_each_demo_survey_has_responses_for_every_point_of_its_sector():
    # The synthetic responses go round a sector's points in turn.
    service_class = {code: kind for code, _name, _name_en, kind in SECTORS}
    points = Counter(point["sector"] for point in service_points())
    for sector, count in points.items():
        assert RESPONSES_PER_SURVEY[service_class[sector]] >= 5 * count, sector


def test_the_service_points_name_known_sectors_and_districts_and_differ():
    rows = service_points()
    codes = [point["code"] for point in rows]
    assert len(codes) == len(set(codes))
    assert {point["sector"] for point in rows} == {row[0] for row in SECTORS}
    assert {point["region"] for point in rows} == {row[0] for row in REGIONS}
    assert all(point["name"] and point["name_en"] for point in rows)
