"""Deterministic hazards, contacts, safety profiles and drills on the demo county (``gridcheck hazards simulate``).

The same seed and day give the same data. Nothing is simulated twice: hazards carry the inspection
reference ``SIM-nnnn`` and a second run finds them and stops. Status changes go through the services,
so the simulated history looks like a real one (events, audit records, notices).
"""

from __future__ import annotations

import datetime
import io
import random
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from gridcheck.archive.models import Customer
from gridcheck.core.roles import Role
from gridcheck.hazards import services
from gridcheck.hazards.choices import HazardCategory, HazardSeverity, HazardStatus
from gridcheck.hazards.models import CustomerSafetyProfile, GovernmentContact, Hazard

# (category, severity weights general/serious/major, description, consequence, advice, days to rectify)
TEMPLATES = [
    (
        HazardCategory.GENERATOR_NO_INTERLOCK,
        (0, 2, 3),
        "自备发电机与电网电源之间未装设可靠的机械和电气闭锁装置，存在向电网倒送电的可能。",
        "停电检修时发电机反送电，可能造成检修人员触电伤亡。",
        "加装双电源切换开关（ATS）并实现机械、电气双重闭锁，报供电所验收。",
        30,
    ),
    (
        HazardCategory.AGEING_EQUIPMENT,
        (4, 2, 0),
        "配电室低压开关柜运行年限已超过20年，母排绝缘老化，部分电缆头有过热痕迹。",
        "绝缘击穿引发短路、火灾，造成全厂停电。",
        "更换老旧开关柜及电缆头，开展红外测温，建立定期巡视制度。",
        60,
    ),
    (
        HazardCategory.SINGLE_SUPPLY_IMPORTANT_LOAD,
        (0, 3, 2),
        "一级负荷仅由单回10kV线路供电，未配置第二电源或应急电源。",
        "线路故障时重要负荷中断，可能造成人员伤亡或重大社会影响。",
        "申请第二路电源或配置满足容量的应急电源，编制停电应急预案。",
        90,
    ),
    (
        HazardCategory.NO_EMERGENCY_PLAN,
        (3, 2, 0),
        "未编制突发停电事件应急预案，未组织过停电应急演练。",
        "突发停电时处置混乱，扩大事故损失。",
        "编制停电应急预案并报备，每年至少组织一次反事故演练。",
        30,
    ),
    (
        HazardCategory.ELECTRICIAN_NO_CERTIFICATE,
        (4, 1, 0),
        "值班电工未取得特种作业操作证（电工），无证上岗操作高压设备。",
        "误操作导致人身触电或设备事故。",
        "安排持证电工值班，组织现有人员参加培训取证。",
        45,
    ),
    (
        HazardCategory.PROTECTION_NOT_SET,
        (1, 3, 1),
        "进线柜继电保护定值未按供电部门下达的定值单整定，过流保护退出运行。",
        "故障时越级跳闸，扩大停电范围并危及电网安全。",
        "委托有资质单位按定值单整定并校验，出具试验报告。",
        20,
    ),
]

PEOPLE = [
    "张建国",
    "李卫东",
    "王志强",
    "刘海军",
    "陈明",
    "杨帆",
    "赵立新",
    "黄伟",
    "周宏",
    "吴刚",
    "徐斌",
    "孙丽",
]
ROLES = ["安全负责人", "电气负责人", "设备科长", "总经理", "后勤主任"]

GOVERNMENT = [
    (
        "县发展和改革局（能源局）",
        "赵文斌",
        "电力科科长",
        "0738-8221001",
        "nyj@gov.example.cn",
        "县行政中心3楼312室",
    ),
    (
        "县应急管理局",
        "钱晓东",
        "安全生产综合协调股股长",
        "0738-8221120",
        "yjj@gov.example.cn",
        "县行政中心5楼508室",
    ),
    ("县工业和信息化局", "孙海燕", "运行监测股副股长", "0738-8221033", "", "县行政中心4楼405室"),
]

DRILL_SCENARIOS = [
    "全厂停电应急演练",
    "双电源切换及发电机启动演练",
    "配电室火灾处置演练",
    "重要负荷保供电演练",
]


@dataclass
class SimulationResult:
    hazards: int = 0
    contacts: int = 0
    drills: int = 0
    skipped: bool = False
    portal_username: str = ""


def _photo(rng: random.Random, label: str) -> SimpleUploadedFile:
    """A synthetic site photo: a switchgear-like panel with a caption (PNG)."""
    from PIL import Image, ImageDraw, ImageFont

    base = rng.choice([(96, 110, 120), (120, 112, 96), (88, 104, 96)])
    image = Image.new("RGB", (480, 320), base)
    draw = ImageDraw.Draw(image)
    for i in range(3):
        x = 40 + i * 140
        draw.rectangle([x, 40, x + 110, 270], fill=(180, 185, 190), outline=(60, 60, 60), width=3)
        draw.rectangle([x + 20, 70, x + 90, 120], fill=(40, 50, 60))
        draw.ellipse([x + 45, 150, x + 65, 170], fill=(200, 40, 40) if label == "before" else (40, 160, 70))
    try:
        font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 22)
    except OSError:
        font = ImageFont.load_default()
    draw.rectangle([0, 284, 480, 320], fill=(20, 20, 20))
    draw.text(
        (12, 288),
        "整改前 现场照片" if label == "before" else "整改后 现场照片",
        fill=(255, 255, 255),
        font=font,
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile(f"{label}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _customers(rng: random.Random, n: int) -> list[Customer]:
    flagged = list(Customer.objects.filter(is_high_risk=True).order_by("account_number")[:400]) + list(
        Customer.objects.filter(is_important=True, is_high_risk=False).order_by("account_number")[:400]
    )
    others = list(Customer.objects.exclude(category="residential").order_by("account_number")[:2000])
    rng.shuffle(flagged)
    chosen = flagged[: max(n * 2 // 3, 1)]
    rng.shuffle(others)
    for customer in others:
        if len(chosen) >= n:
            break
        if customer not in chosen:
            chosen.append(customer)
    return chosen[:n]


@transaction.atomic
def hazards_simulate(
    *, today: datetime.date, seed: int = 20261125, customers: int = 24, portal_password: str | None = None
) -> SimulationResult:
    """Create hazards, contacts, profiles and drills for the demo county; a second call changes nothing."""
    from gridcheck.users.models import User

    result = SimulationResult()
    if Hazard.objects.filter(found_by_inspection_ref__startswith="SIM-").exists():
        result.skipped = True
        return result
    rng = random.Random(seed)
    for department, name, title, phone, email, address in GOVERNMENT:
        if not GovernmentContact.objects.filter(department=department, name=name).exists():
            services.government_contact_create(
                department=department, name=name, title=title, phone=phone, email=email, address=address
            )
    chosen = _customers(rng, customers)
    inspectors_by_station: dict[int, list] = {}
    for user in User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("username"):
        inspectors_by_station.setdefault(user.station_id, []).append(user)
    seq = 0
    for index, customer in enumerate(chosen):
        person = rng.choice(PEOPLE)
        phone = f"139{rng.randrange(10**8):08d}"
        # About one customer in five has no email: its notices go on paper.
        email = "" if index % 5 == 3 else f"safety{customer.account_number}@customer.example.cn"
        services.customer_contact_create(
            customer=customer, name=person, role=rng.choice(ROLES), phone=phone, email=email
        )
        result.contacts += 1
        if customer.is_high_risk or customer.is_important:
            generator = rng.random() < 0.6
            profile = CustomerSafetyProfile(
                customer=customer,
                risk_reason=("高危客户" if customer.is_high_risk else "重要客户") + f"：{customer.name}",
                has_dual_supply=rng.random() < 0.5,
                supply_sources="10kV双回路供电" if rng.random() < 0.5 else "10kV单回路供电",
                has_self_generator=generator,
                generator_capacity_kw=rng.choice([100, 200, 300, 500]) if generator else None,
                generator_interlocked=generator and rng.random() < 0.6,
                emergency_plan_title="突发停电事件应急预案" if rng.random() < 0.7 else "",
            )
            if profile.emergency_plan_title:
                profile.emergency_plan_approved_on = today - datetime.timedelta(days=rng.randrange(60, 600))
            profile.full_clean()
            profile.save()
            for k in range(2):
                scheduled = datetime.date(today.year, 1 + rng.randrange(12), 1 + rng.randrange(28))
                drill = services.drill_schedule(
                    customer=customer,
                    scenario=DRILL_SCENARIOS[(index + k) % len(DRILL_SCENARIOS)],
                    scheduled_on=scheduled,
                )
                if scheduled <= today and rng.random() < 0.8:
                    services.drill_record(
                        drill=drill,
                        held_on=scheduled,
                        participants=f"{person}（客户）、供电所用电检查员2名、县能源局1名",
                        findings=rng.choice(
                            [
                                "切换时间超过预案要求，需优化操作票。",
                                "发电机启动正常，演练达到预期。",
                                "应急照明不足，已要求整改。",
                            ]
                        ),
                    )
                elif scheduled < today:
                    services.drill_cancel(drill=drill, reason="客户生产任务冲突，顺延至下年度")
                result.drills += 1
        for _k in range(1 + (rng.random() < 0.4)):
            seq += 1
            category, weights, description, consequence, advice, days = rng.choice(TEMPLATES)
            severity = rng.choices(
                [HazardSeverity.GENERAL, HazardSeverity.SERIOUS, HazardSeverity.MAJOR], weights=weights
            )[0]
            found_on = today - datetime.timedelta(days=rng.randrange(0, 150))
            staff_pool = inspectors_by_station.get(customer.station_id) or [None]
            staff = staff_pool[seq % len(staff_pool)]
            hazard = services.hazard_create(
                customer=customer,
                category=category,
                severity=severity,
                description=description,
                consequence=consequence,
                advice=advice,
                found_on=found_on,
                deadline=found_on + datetime.timedelta(days=days),
                responsible_person=person,
                responsible_phone=phone,
                responsible_staff=staff,
                found_by=staff,
                found_by_inspection_ref=f"SIM-{seq:04d}",
                photos=[_photo(rng, "before")],
            )
            result.hazards += 1
            _advance(hazard=hazard, rng=rng, today=today, staff=staff)
    # A portal login for the first customer, to try the customer portal.
    if chosen and portal_password:
        user, _created = User.objects.get_or_create(
            username="customer_demo",
            defaults={"full_name": chosen[0].name, "is_active": True, "role": Role.CUSTOMER},
        )
        user.set_password(portal_password)
        user.save()
        contact = chosen[0].safety_contacts.order_by("pk").first()
        contact.portal_user = user
        contact.save()
        result.portal_username = user.username
    return result


def _advance(*, hazard, rng: random.Random, today: datetime.date, staff) -> None:
    """Move a simulated hazard along its life as far as its age makes plausible."""
    age = (today - hazard.found_on).days
    if age < 10:
        return
    notified = hazard.found_on + datetime.timedelta(days=min(age, rng.randrange(3, 15)))
    services.hazard_transition(
        hazard=hazard, to_status=HazardStatus.NOTIFIED, actor=staff, on=notified, note="模拟：通知书已送达"
    )
    roll = rng.random()
    if roll < 0.25:
        return
    services.hazard_transition(
        hazard=hazard, to_status=HazardStatus.RECTIFYING, actor=staff, note="客户已安排整改"
    )
    if roll < 0.5:
        return
    rectified_on = min(today, hazard.found_on + datetime.timedelta(days=rng.randrange(10, 80)))
    services.hazard_photo_add(hazard=hazard, stage="after", image=_photo(rng, "after"), user=staff)
    services.hazard_transition(
        hazard=hazard, to_status=HazardStatus.RECTIFIED, actor=staff, on=rectified_on, note="客户反馈整改完成"
    )
    if roll < 0.75 or rectified_on + datetime.timedelta(days=7) > today:
        return
    services.hazard_transition(
        hazard=hazard,
        to_status=HazardStatus.VERIFIED,
        actor=staff,
        on=rectified_on + datetime.timedelta(days=7),
        note="复查合格，销号",
    )
