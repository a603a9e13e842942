"""The archive's choice values as the import reads them: English key, English label, or a Chinese name
(the first Chinese name of each value is what exports write)."""

from gridcheck.archive.choices import (
    CustomerCategory,
    CustomerStatus,
    InspectionClass,
    MeterPhase,
    MeterStatus,
    TariffCategory,
    VoltageLevel,
)
from gridcheck.archive.importers.parsers import choice_parser

CUSTOMER_CATEGORY_ALIASES = {
    CustomerCategory.RESIDENTIAL: ("居民", "居民生活", "城乡居民生活用电", "乡村居民", "城镇居民"),
    CustomerCategory.COMMERCIAL: ("商业", "一般工商业", "非居民照明", "非工业"),
    CustomerCategory.INDUSTRIAL: ("工业", "大工业", "普通工业"),
    CustomerCategory.AGRICULTURAL: ("农业", "农业生产", "农业排灌"),
    CustomerCategory.OTHER: ("其他",),
}
VOLTAGE_ALIASES = {
    VoltageLevel.V220: ("220V", "交流220V", "0.22kV", "AC220V"),
    VoltageLevel.V380: ("380V", "交流380V", "0.38kV", "0.4kV", "AC380V", "400V"),
    VoltageLevel.KV10: ("10kV", "交流10kV", "10000V", "AC10kV"),
    VoltageLevel.KV35: ("35kV", "交流35kV", "AC35kV"),
}
INSPECTION_CLASS_ALIASES = {
    InspectionClass.A: ("A", "A类", "A级", "每周"),
    InspectionClass.B: ("B", "B类", "B级", "每月"),
    InspectionClass.C: ("C", "C类", "C级", "每季"),
}
CUSTOMER_STATUS_ALIASES = {
    CustomerStatus.ACTIVE: ("正常", "正常用电", "在用"),
    CustomerStatus.SUSPENDED: ("暂停", "暂停用电", "暂拆", "中止"),
    CustomerStatus.CLOSED: ("销户", "已销户", "注销"),
}
METER_PHASE_ALIASES = {
    MeterPhase.SINGLE: ("单相", "单相两线", "1"),
    MeterPhase.THREE: ("三相", "三相四线", "三相三线", "3"),
}
METER_STATUS_ALIASES = {
    MeterStatus.IN_SERVICE: ("运行", "在运", "在用", "正常"),
    MeterStatus.REMOVED: ("拆除", "已拆除", "拆回"),
}
TARIFF_CATEGORY_ALIASES = {
    TariffCategory.RESIDENTIAL: ("居民生活", "居民", "居民生活用电"),
    TariffCategory.GENERAL_COMMERCIAL_INDUSTRIAL: ("一般工商业", "工商业", "一般工商业及其他"),
    TariffCategory.LARGE_INDUSTRY: ("大工业", "大工业用电"),
    TariffCategory.AGRICULTURAL: ("农业生产", "农业", "农业生产用电"),
}

parse_customer_category = choice_parser(CustomerCategory, CUSTOMER_CATEGORY_ALIASES)
parse_voltage_level = choice_parser(VoltageLevel, VOLTAGE_ALIASES)
parse_inspection_class = choice_parser(InspectionClass, INSPECTION_CLASS_ALIASES)
parse_customer_status = choice_parser(CustomerStatus, CUSTOMER_STATUS_ALIASES)
parse_meter_phase = choice_parser(MeterPhase, METER_PHASE_ALIASES)
parse_meter_status = choice_parser(MeterStatus, METER_STATUS_ALIASES)
parse_tariff_category = choice_parser(TariffCategory, TARIFF_CATEGORY_ALIASES)
