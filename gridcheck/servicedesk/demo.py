"""The service desk's part of the demo county: electricians (portal logins) for the demo's important and
high-risk customers, their questions (answered and rated, waiting, overdue and escalated), an answer in the
knowledge base, complaints (one to closure), a business lead, an anti-theft publicity campaign and a typical
case published from a closed theft case — made through the services users use. A second run keeps what
exists."""

from __future__ import annotations

import datetime
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gridcheck.core.roles import MANAGE_SERVICEDESK, Role
from gridcheck.hazards.services import customer_contact_create
from gridcheck.servicedesk import services
from gridcheck.servicedesk.choices import Audience
from gridcheck.servicedesk.models import Consultation
from gridcheck.users.selectors import people_who_may

#: The demo's extra electricians' logins (``customer_demo`` of the hazards simulation is the first).
ELECTRICIANS = 3

QUESTIONS = [
    ("safety", "配电室漏水", "雨季配电室顶棚渗水，是否需要停电处理？"),
    ("technical", "电容柜频繁投切", "无功补偿电容柜频繁投切，功率因数仍然偏低，怎么排查？"),
    ("metering", "电表显示异常", "计量箱内电表屏幕时亮时灭，会不会影响计量？"),
    ("capacity_change", "增容办理", "明年计划增加一台500kVA变压器，需要准备哪些资料？"),
    ("outage", "计划停电通知", "下周计划停电会影响我们的生产线吗？能否调整时间？"),
    ("billing", "力调电费", "本月力调电费比上月多了不少，是什么原因？"),
]


def _png() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 160)).save(buffer, format="PNG")
    return SimpleUploadedFile("现场照片.png", buffer.getvalue(), content_type="image/png")


def _managers(station_id: int) -> list:
    """The station's own staff who handle the service desk."""
    return [
        p for p in people_who_may(MANAGE_SERVICEDESK, station_id=station_id) if p.station_id == station_id
    ]


def _electricians(password: str) -> list:
    """``customer_demo`` and an electrician for each of the next important or high-risk customers."""
    from gridcheck.archive.models import Customer
    from gridcheck.users.models import User

    people = list(User.objects.filter(username="customer_demo", role=Role.CUSTOMER))
    taken = {p.customer_contact.customer_id for p in people if hasattr(p, "customer_contact")}
    # The station: customer_demo's if it has staff who handle the desk, else the first one that has.
    from gridcheck.archive.models import Station

    station_ids = [p.customer_contact.customer.station_id for p in people if hasattr(p, "customer_contact")]
    station_ids += list(Station.objects.order_by("code").values_list("pk", flat=True))
    station_id = next((sid for sid in station_ids if _managers(sid)), None)
    if station_id is None:
        return []
    # Its important and high-risk customers first; in a small county, then its other non-residential ones.
    mine = Customer.objects.filter(station_id=station_id).order_by("pk")
    customers = list(mine.filter(Q(is_important=True) | Q(is_high_risk=True))[:20])
    customers += list(mine.exclude(category="residential")[:20])
    n = 0
    for customer in customers:
        if n >= ELECTRICIANS:
            break
        if customer.pk in taken:
            continue
        taken.add(customer.pk)
        n += 1
        user, created = User.objects.get_or_create(
            username=f"electrician_demo{n}",
            defaults={"full_name": f"{customer.name}电工", "role": Role.CUSTOMER, "is_active": True},
        )
        if created:
            user.set_password(password)
            user.save()
            customer_contact_create(customer=customer, name=f"电工{n}", role="电工", portal_user=user)
        people.append(user)
    return [p for p in people if hasattr(p, "customer_contact")]


GUIDANCE = [
    (
        "高危及重要客户保电指南",
        Audience.HIGH_RISK,
        True,
        "一、双电源及自备应急电源配置要求。二、保电期间的值班与联络。",
    ),
    (
        "客户变电站（配电室）标准化管理指南",
        Audience.CUSTOMERS,
        True,
        "一、配电室防水、防火、防小动物。二、安全工器具定期试验。",
    ),
    ("迎峰度夏用电指引", Audience.CUSTOMERS, False, "高温期间错峰用电，检查变压器油温与负荷。"),
    ("用电检查风险防范手册", Audience.STAFF, False, "现场检查两人同行，全程记录，不单独处理窃电现场。"),
]


def _library_and_news(electricians) -> tuple[int, int]:
    """The station's guidance library (one document acknowledged by the first electrician) and two
    announcements, at the station of the first electrician's customer."""
    first = next((e for e in electricians if _managers(e.customer_contact.customer.station_id)), None)
    if first is None:
        return 0, 0
    station_id = first.customer_contact.customer.station_id
    managers = _managers(station_id)
    head = managers[0]
    documents = 0
    for title, audience, must, body in GUIDANCE:
        document = services.guidance_document_create(
            user=head, title=title, audience=audience, body=body, must_acknowledge=must
        )
        documents += 1
        if audience == Audience.CUSTOMERS and must:
            version = document.versions.get()
            services.guidance_acknowledge(version=version, user=first)
    services.announcement_publish(
        user=head,
        kind="planned_outage",
        reach="all",
        title="10kV线路计划检修停电",
        body="本周六8:00-12:00线路检修停电，请提前做好生产安排。",
        by_email=True,
        by_sms=False,
    )
    services.announcement_publish(
        user=head,
        kind="briefing",
        reach="high_risk",
        title="本季度1+1+1通报结果",
        body="本季度高危客户隐患整改率有所提高，请未整改客户抓紧落实。",
        by_email=True,
        by_sms=False,
    )
    # A rehearsal with the electricians of the station's customers, one of whom signed in and answered.
    customers = [
        e.customer_contact.customer
        for e in electricians
        if e.customer_contact.customer.station_id == station_id
    ]
    session = services.training_create(
        user=head,
        kind="rehearsal",
        title="配电室火灾事故应急演练",
        starts_at=timezone.now() - datetime.timedelta(days=2),
        place="供电所会议室及现场",
        customers=customers,
        description="演练配电室火灾时的停电、报警、灭火和疏散。",
        questions="配电室起火第一步？|开窗通风|切断电源|用水扑救|2\n电气火灾宜用哪种灭火器？|干粉|水基|泡沫|1",
    )
    services.attendance_sign(session=session, user=first, token=services.training_token(session))
    q1, q2 = session.questions.all()
    services.quiz_submit(session=session, user=first, answers={str(q1.pk): 1, str(q2.pk): 0})
    return documents, 2


def _campaign(head, now: datetime.datetime):
    """A held anti-theft publicity stall at the station, with its materials and reach."""
    campaign = services.campaign_create(
        user=head,
        kind="stall",
        place="镇中心集市",
        held_at=now - datetime.timedelta(days=5),
        materials="反窃电宣传单 | 600\n宣传海报 | 12\n《电力法》摘编手册 | 80",
        people_reached=420,
        leaflets_handed_out=560,
        customers_visited=35,
        notes="设咨询台讲解窃电的法律责任，公布举报电话。",
        photos=[_png()],
    )
    return services.campaign_hold(campaign=campaign, user=head, now=now)


def _closed_theft_case(station_id: int, now: datetime.datetime):
    """A closed theft case of the station for the typical case: an existing one, else one taken through the
    cases services (computed, notified, approved, paid, no legal step due, closed); None when the station
    lacks the people or the archive for it."""
    from gridcheck.archive.models import Customer
    from gridcheck.cases.choices import CaseStatus
    from gridcheck.cases.models import Case
    from gridcheck.core.roles import HANDLE_CASES

    existing = Case.objects.filter(station_id=station_id, status=CaseStatus.CLOSED, typical_case__isnull=True)
    if existing.exists():
        return existing.order_by("-pk").first()
    handlers = [p for p in people_who_may(HANDLE_CASES, station_id=station_id) if p.station_id == station_id]
    customer = (
        Customer.objects.filter(
            station_id=station_id, category="residential", metering_points__meters__isnull=False
        )
        .order_by("pk")
        .first()
    )
    if not handlers or customer is None:
        return None
    inspector = handlers[0]
    try:
        with transaction.atomic():  # all of it or nothing
            return _case_to_closure(customer, inspector, station_id, now)
    except (StopIteration, ValidationError, PermissionDenied):
        return None


def _case_to_closure(customer, inspector, station_id: int, now: datetime.datetime):
    """A theft case of ``customer`` from its opening to its closure, by the people who do each step."""
    from gridcheck.cases import selectors as case_selectors
    from gridcheck.cases import services as cases
    from gridcheck.core.roles import APPROVE_COUNTY, APPROVE_STATION

    case = cases.case_create(
        customer=customer,
        kind="theft",
        theft_type="bypass_meter",
        case_date=timezone.localdate(now) - datetime.timedelta(days=60),
        facts=f"{customer.name}（户号{customer.account_number}）在电能表前私接绕越线路用电，现场拍照取证。",
        created_by=inspector,
    )
    case = cases.case_compute(case=case, user=inspector)
    case = cases.case_notify(case=case, signed_by_customer=True, signer_name=customer.name, user=inspector)
    case = cases.case_submit_for_approval(case=case, user=inspector)
    while level := case_selectors.next_approval_level(case):
        capability = APPROVE_STATION if level == "station" else APPROVE_COUNTY
        approver = next(
            p
            for p in people_who_may(capability, station_id=station_id)
            if case_selectors.can_approve(p, case, level)
        )
        case = cases.case_approve(case=case, user=approver, level=level, decision="approve")
    cases.case_payment_record(
        case=case,
        amount_yuan=case.total_due_yuan,
        paid_on=timezone.localdate(now),
        receipt_number=f"DEMO-{case.pk}",
        user=inspector,
    )
    cases.case_legal_record(case=case, user=inspector, step="not_due", reason="窃电金额未达追诉标准")
    return cases.case_close(case=case, user=inspector, measures_taken="拆除绕越线路，更换表箱并加封。")


def _publicity(electricians, now: datetime.datetime) -> tuple[int, int]:
    """A campaign and a typical case (drafted by one of the station's staff, published by another) at the
    station of the first electrician's customer."""
    first = next((e for e in electricians if _managers(e.customer_contact.customer.station_id)), None)
    if first is None:
        return 0, 0
    station_id = first.customer_contact.customer.station_id
    managers = _managers(station_id)
    _campaign(managers[0], now)
    if len(managers) < 2:
        return 1, 0
    case = _closed_theft_case(station_id, now)
    if case is None:
        return 1, 0
    preparer = next((m for m in managers if m.pk != case.created_by_id), managers[0])
    typical = services.typical_case_prepare(case=case, user=preparer)
    approver = next(m for m in managers if m.pk != preparer.pk)
    services.typical_case_publish(typical_case=typical, user=approver, announce=True)
    return 1, 1


def demo_servicedesk_build(*, password: str, now: datetime.datetime | None = None) -> dict:
    """Build the service desk's demo data; counts of what was made (``kept``: it existed already)."""
    if Consultation.objects.exists():
        return {"kept": True, "consultations": Consultation.objects.count(), "electricians": 0}
    now = now or timezone.now()
    electricians = _electricians(password)
    made = 0
    for i, electrician in enumerate(electricians):
        customer = electrician.customer_contact.customer
        staff = [
            p
            for p in people_who_may(MANAGE_SERVICEDESK, station_id=customer.station_id)
            if p.station_id == customer.station_id
        ]
        if not staff:
            continue
        for j, (topic, subject, question) in enumerate(QUESTIONS[i % 2 :: 2]):
            asked = now - datetime.timedelta(days=40 - 12 * j, hours=3 * i)
            consultation = services.consultation_ask(
                user=electrician,
                topic=topic,
                subject=subject,
                question=question,
                photos=[_png()] if j == 0 else [],
                now=asked,
            )
            made += 1
            if j < 2:  # answered, one of them late, and rated
                late = j == 1
                answered = consultation.due_at + datetime.timedelta(hours=6 if late else -12)
                consultation = services.consultation_answer(
                    consultation=consultation,
                    user=staff[j % len(staff)],
                    answer="已安排人员到现场查看，请按《客户变电站（配电室）标准化管理指南》做好防水封堵。",
                    now=answered,
                )
                services.consultation_rate(
                    consultation=consultation, user=electrician, rating=5 if not late else 3
                )
                if i == 0 and j == 0:
                    services.knowledge_article_publish(consultation=consultation, user=staff[0])
        # one waiting within its limit
        services.consultation_ask(
            user=electrician,
            topic="technical",
            subject="接地电阻测量",
            question="厂区接地网的接地电阻多少算合格？多久测一次？",
            now=now - datetime.timedelta(hours=2),
        )
        made += 1
    escalated = services.consultations_escalate(now=now)
    complaints = 0
    first = next((e for e in electricians if _managers(e.customer_contact.customer.station_id)), None)
    if first is not None:
        customer = first.customer_contact.customer
        handlers = [
            p
            for p in people_who_may(MANAGE_SERVICEDESK, station_id=customer.station_id)
            if p.station_id == customer.station_id
        ]
        services.complaint_submit(user=first, subject="outage", text="上周停电没有提前通知，造成停产两小时。")
        complaints += 1
        if len(handlers) >= 2:
            hotline = services.complaint_enter(
                user=handlers[0],
                channel="hotline",
                subject="counter",
                text="营业厅办理增容排队时间过长。",
                author_name="王先生",
                author_phone="13800001111",
                customer=customer,
            )
            hotline = services.complaint_answer(
                complaint=hotline, user=handlers[1], answer="已增设增容业务专窗，并向客户致歉。"
            )
            services.complaint_close(complaint=hotline, user=handlers[1], note="电话回访，客户满意")
            complaints += 1
        services.business_feedback_submit(
            user=first, kind="add_load", text="明年新建二期车间，预计新增负荷800kW。"
        )
    documents, announcements = _library_and_news(electricians)
    campaigns, typical_cases = _publicity(electricians, now)
    return {
        "campaigns": campaigns,
        "typical_cases": typical_cases,
        "kept": False,
        "documents": documents,
        "announcements": announcements,
        "electricians": len(electricians),
        "consultations": made,
        "escalated": escalated,
        "complaints": complaints,
    }
