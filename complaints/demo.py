"""A demo register of tourist complaints, so that `make run` shows what the
plan measures: the settlement rate against its 100% target, handlers' queues
and histories.

Every complaint goes through the same services as a real one (intake, then
the workflow's transitions), dated back to when it happened through their
``now`` parameter, so references, working-day deadlines, histories and
settlement times are what the application itself records. Seeded, and
loaded once: the demo complaints carry an external reference ``DEMO-…``.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.db import transaction
from django.utils import timezone

from surveys.models import ServicePoint

from .choices import ComplaintAction, ComplaintCategory, ComplaintChannel
from .models import Complaint
from .services.intake import complaint_submit
from .services.workflow import complaint_transition

DEMO_PREFIX = "DEMO-"
HANDLER = "演示处理员"  # a label, not an account: the demo creates no users
FIRST_DAY = dt.date(2026, 7, 1)
PER_DAY = 2.0

# What tourists write, per category; {place} is the scenic area's name.
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    ComplaintCategory.PRICE: (
        "{place}附近的餐馆菜单没有标价，结账时一盘虾收了三百多元，与店员口头报价不符。",
        "在{place}乘坐游船，售票处写的是每人80元，上船后又要求每人加收20元“讲解费”。",
        "{place}门口的停车场收费标准不清楚，停了两小时被收了60元，没有给发票。",
    ),
    ComplaintCategory.SERVICE: (
        "{place}游客中心工作人员态度很差，问路时不耐烦，还让我们自己看地图。",
        "在{place}咨询导游服务，预约时间到了导游迟到四十分钟，也没有任何解释。",
        "{place}检票口只开一个通道，排队一个多小时，工作人员在旁边聊天不管。",
    ),
    ComplaintCategory.SHOPPING: (
        "跟团游览{place}时被带进指定商店，导游说不买东西就不带我们去下一个景点。",
        "在{place}的商店买了一件“纯手工”皮具，回家发现是机器压制的，商家不给退。",
    ),
    ComplaintCategory.SAFETY: (
        "{place}栈道有几块木板松动，老人差点摔倒，现场没有任何警示标志。",
        "{place}晚上灯光太暗，台阶看不清，希望尽快增加照明。",
    ),
    ComplaintCategory.HYGIENE: (
        "{place}的公共厕所很脏，没有纸巾，洗手池的水龙头也坏了。",
        "{place}河边垃圾桶满了没人清理，夏天气味很大。",
    ),
    ComplaintCategory.TRANSPORT: (
        "从高铁站到{place}的旅游专线车没有按时刻表发车，等了五十分钟。",
        "{place}停车场指示牌错误，绕了三圈才找到入口，周边道路严重拥堵。",
    ),
    ComplaintCategory.ACCOMMODATION: (
        "在{place}景区内的民宿预订了江景房，入住时却被安排到没有窗户的房间。",
        "{place}附近酒店网上写含早餐，入住后被告知早餐要另外付费。",
    ),
    ComplaintCategory.TICKETS: (
        "网上购买的{place}门票显示已出票，到了检票口却说订单无效，只能重新买票。",
        "{place}的老年人优惠票只能在现场窗口买，网上不能买，窗口排队太久。",
        "因下雨取消了{place}的行程，申请退票一周了还没有退款。",
    ),
    ComplaintCategory.OTHER: ("在{place}遗失了背包，联系景区失物招领电话一直没人接。",),
}
RESOLUTIONS = (
    "经核实，商家已向游客退还多收费用，并被责令整改、明码标价。",
    "已约谈相关负责人，游客表示接受道歉。",
    "景区已维修相关设施并增设提示标志，已电话回复游客。",
    "已协调商家为游客办理退款，款项已到账。",
    "已对涉事工作人员进行批评教育，并向游客致歉。",
)
OUT_OF_SCOPE = "不属于旅游投诉受理范围，已告知游客向市场监管部门反映。"
NO_AGREEMENT = "游客要求的赔偿超出规定，双方未能达成一致。"
CHANNELS = (
    (ComplaintChannel.QR, 0.30),
    (ComplaintChannel.WEB, 0.20),
    (ComplaintChannel.HOTLINE_12345, 0.20),
    (ComplaintChannel.HOTLINE_12301, 0.15),
    (ComplaintChannel.HOTLINE_96345, 0.10),
    (ComplaintChannel.PLATFORM, 0.05),
)


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    """A daytime moment of ``day`` in the city's time zone."""
    naive = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(
        minutes=rng.randrange(12 * 60)
    )
    return timezone.make_aware(naive)


def _handle(complaint: Complaint, rng: random.Random, now: dt.datetime) -> None:
    """Accept, start and conclude the complaint as a handler would have: most
    within the settlement deadline, some late, a few still open (only what
    has happened by ``now``)."""
    steps = []
    when = complaint.received_at + dt.timedelta(hours=rng.uniform(2, 60))
    if rng.random() < 0.04:
        steps.append((ComplaintAction.REJECT, when, OUT_OF_SCOPE))
    else:
        steps.append((ComplaintAction.ACCEPT, when, ""))
        when += dt.timedelta(hours=rng.uniform(1, 48))
        steps.append((ComplaintAction.START, when, ""))
        window = complaint.settle_by - when
        late = rng.random() < 0.10
        share = rng.uniform(1.05, 1.6) if late else rng.uniform(0.1, 0.95)
        when += window * share
        if rng.random() < 0.03:
            steps.append((ComplaintAction.CLOSE_UNSETTLED, when, NO_AGREEMENT))
        else:
            steps.append((ComplaintAction.SETTLE, when, rng.choice(RESOLUTIONS)))
    for action, at, note in steps:
        if at >= now:
            return
        complaint_transition(
            complaint_id=complaint.pk, action=action, actor=HANDLER, note=note, now=at
        )


@transaction.atomic
def load_demo_complaints(now: dt.datetime | None = None) -> int:
    """Create the demo complaints once, from 1 July 2026 to ``now``; returns
    how many were created (none when they exist or there is no scenic area)."""
    now = now or timezone.now()
    if Complaint.objects.filter(external_reference__startswith=DEMO_PREFIX).exists():
        return 0
    scenic_areas = ServicePoint.objects.filter(sector__code="tourism", active=True)
    places = list(scenic_areas.order_by("code"))
    if not places:
        return 0
    rng = random.Random(2026)  # noqa: S311 - demo data, not secrets
    channels, channel_weights = zip(*CHANNELS, strict=True)
    categories = list(DESCRIPTIONS)
    created, day = 0, FIRST_DAY
    while day < timezone.localdate(now):
        for _ in range(_poisson(rng, PER_DAY)):
            received = _at(day, rng)
            if received >= now:
                continue
            place = rng.choice(places)
            category = rng.choice(categories)
            complaint, _secret = complaint_submit(
                service_point=place,
                category=category,
                description=rng.choice(DESCRIPTIONS[category]).format(place=place.name),
                channel=rng.choices(channels, channel_weights)[0],
                occurred_at=received - dt.timedelta(hours=rng.uniform(1, 30)),
                now=received,
            )
            created += 1
            Complaint.objects.filter(pk=complaint.pk).update(
                external_reference=f"{DEMO_PREFIX}{created:04d}"
            )
            _handle(complaint, rng, now)
        day += dt.timedelta(days=1)
    return created


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's draw: complaints arrive a few a day, unevenly."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
