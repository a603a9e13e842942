"""The Chinese name pools of the demo county and the random draws shared by its entities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridcheck_analytics.datasets.parameters import REFERENCE_DATE

COUNTY = "青山县"
COMPANY_CODE = "QS"
COMPANY_NAME = "国网青山县供电公司"
TOWNSHIPS = (
    "城关镇", "青石镇", "白沙镇", "柳溪镇", "龙泉镇", "桃源乡", "马坪镇", "石桥镇",
    "双河镇", "杨柳乡", "金竹乡", "新华镇", "长岭镇", "清水乡", "高峰镇", "永安镇",
)  # fmt: skip
STREETS = ("人民路", "解放路", "建设路", "新华街", "中山路", "河滨路", "文化路", "胜利街")
PLACE_FIRST = (
    "王家", "李家", "张家", "石", "青", "柳", "桃", "梨", "黄", "白", "大", "小", "新", "老", "上",
    "下", "马", "杨", "龙", "凤", "金", "银", "高", "长", "双", "松", "竹", "花", "枫", "茶",
)  # fmt: skip
PLACE_SECOND = (
    "坪", "湾", "沟", "岭", "坝", "河", "桥", "庄", "山", "塘", "冲", "垭", "店", "坡", "岗",
    "堡", "口", "溪", "园", "林",
)  # fmt: skip
SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴",
)  # fmt: skip
GIVEN_ONE = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "华", "文", "斌", "红", "海", "波", "辉", "鹏", "宇", "浩", "婷", "雪",
    "琳", "晶", "丹", "萍", "福", "贵", "兵", "林", "峰", "亮", "英", "梅", "兰", "琴", "燕", "飞",
)  # fmt: skip
GIVEN_TWO = (
    "秀英", "秀兰", "桂英", "建华", "建国", "志强", "国强", "玉兰", "建军", "德明", "金凤", "春梅",
    "永红", "小红", "玉梅", "桂兰", "长青", "凤英", "淑珍", "文华", "海燕", "小军", "春华", "光明",
    "明华", "晓东", "俊杰", "子涵", "雨轩", "欣怡", "浩然", "思远", "家豪", "志明", "红梅", "丽华",
    "德华", "国华", "永生", "世平", "成林", "少华", "宏伟", "雪梅", "玉珍", "秀珍", "建平", "卫东",
)  # fmt: skip
BRANDS = (
    "宏达", "鑫源", "金鑫", "华兴", "永兴", "顺发", "恒通", "兴旺", "福源", "富民", "利民", "东方",
    "天成", "瑞丰", "隆盛", "盛世", "万家", "佳美", "新宇", "长城", "聚丰", "宏发", "祥和", "嘉禾",
    "德丰", "恒泰", "金山", "银河", "同心", "众鑫", "华达", "益民", "丰源", "金龙", "鸿运", "兴隆",
)  # fmt: skip
MANUFACTURERS = (
    "威胜集团有限公司",
    "江苏林洋能源股份有限公司",
    "宁波三星医疗电气股份有限公司",
    "华立科技股份有限公司",
    "许继电气股份有限公司",
    "杭州炬华科技股份有限公司",
    "深圳市科陆电子科技股份有限公司",
    "浙江正泰仪器仪表有限责任公司",
)
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "157", "158", "159", "166", "177", "180", "181", "182", "183", "186", "187", "188", "189",
)  # fmt: skip


def dates_before_reference(days_before_reference) -> pd.Series:
    """Dates ``days_before_reference`` days before :data:`REFERENCE_DATE` as ``datetime64[s]``."""
    days = np.asarray(days_before_reference, dtype="int64").astype("timedelta64[D]")
    return pd.Series((REFERENCE_DATE - days).astype("datetime64[s]"))


def mobile_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    prefixes = np.asarray(MOBILE_PREFIXES)[rng.integers(0, len(MOBILE_PREFIXES), n)]
    numbers = rng.integers(0, 100_000_000, n)
    return (pd.Series(prefixes) + pd.Series(numbers).map("{:08d}".format)).to_numpy(dtype=object)


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Chinese personal names: a common surname (Zipf-weighted) and a one- or two-character given name."""
    weights = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.8
    surnames = np.asarray(SURNAMES)[rng.choice(len(SURNAMES), n, p=weights / weights.sum())]
    two = rng.random(n) < 0.55
    given = np.where(
        two,
        np.asarray(GIVEN_TWO)[rng.integers(0, len(GIVEN_TWO), n)],
        np.asarray(GIVEN_ONE)[rng.integers(0, len(GIVEN_ONE), n)],
    )
    return np.strings.add(surnames, given).astype(object)


def place_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` two- or three-character place names, distinct while the pool of combinations lasts."""
    pool = [a + b for a in PLACE_FIRST for b in PLACE_SECOND]
    order = rng.permutation(len(pool))
    names = []
    for k in range(n):
        base = pool[order[k % len(pool)]]
        names.append(base if k < len(pool) else f"{base}{k // len(pool) + 1}")
    return names


def split_count(rng: np.random.Generator, total: int, parts: int, weights=None) -> np.ndarray:
    """Split ``total`` items into ``parts`` groups of at least one each (``total >= parts``)."""
    p = np.ones(parts) if weights is None else np.asarray(weights, dtype=float)
    return 1 + rng.multinomial(total - parts, p / p.sum())
