"""The demonstration org tree: 浙江省, the cities and districts the sample plans name (杭州市 and its
districts, 宁波市 with 奉化区), and their public hospitals by grade and type, plus 基层 institutions.

Deterministic: the same `extra` count gives the same tree. `extra` adds 社区卫生服务中心/乡镇卫生院
round-robin over the districts, to enlarge the tree to thousands of orgs for the load benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass

ROOT = ("ZJ", "浙江省")
# city code, name, [(district code, name, population in 10k)]
CITIES = [
    ("HZ", "杭州市", [
        ("HZSC", "上城区", 135), ("HZGS", "拱墅区", 118), ("HZXH", "西湖区", 115), ("HZBJ", "滨江区", 54),
        ("HZXS", "萧山区", 210), ("HZYH", "余杭区", 135), ("HZLP", "临平区", 118), ("HZQT", "钱塘区", 79),
        ("HZFY", "富阳区", 84), ("HZLA", "临安区", 64), ("HZTL", "桐庐县", 46), ("HZCA", "淳安县", 33),
        ("HZJD", "建德市", 44),
    ]),
    ("NB", "宁波市", [
        ("NBHS", "海曙区", 104), ("NBJB", "江北区", 49), ("NBBL", "北仑区", 83), ("NBZH", "镇海区", 51),
        ("NBYZ", "鄞州区", 167), ("NBFH", "奉化区", 58), ("NBYY", "余姚市", 126), ("NBCX", "慈溪市", 184),
        ("NBNH", "宁海县", 70), ("NBXS", "象山县", 57),
    ]),
    ("WZ", "温州市", [("WZLC", "鹿城区", 109), ("WZLW", "龙湾区", 79), ("WZOH", "瓯海区", 97), ("WZRA", "瑞安市", 152)]),
]
CITY_HOSPITALS = {
    "HZ": ["杭州市第一人民医院", "杭州市中医院", "杭州市妇产科医院", "杭州市第三人民医院"],
    "NB": ["宁波市第一医院", "宁波市中医院", "宁波市妇女儿童医院"],
    "WZ": ["温州市人民医院", "温州市中医院"],
}
BASIC_NAMES = ["街道社区卫生服务中心", "镇卫生院"]
STREETS = "东南西北中新城前后上下".replace("", " ").split()


@dataclass(frozen=True)
class DemoOrg:
    code: str
    name: str
    parent: str | None
    level: int
    type: str | None = None  # 综合/中医/专科/基层
    grade: str | None = None  # 三级/二级/一级
    group: str | None = None  # 医共体 / 城市医疗集团
    population: float = 0.0  # 服务人口 (10k): the scale of its numbers

    @property
    def reports(self) -> bool:
        return self.level == 4


def _kind(name: str) -> tuple[str, str]:
    if "中医" in name:
        return "中医", "三级"
    if "妇" in name or "儿童" in name:
        return "专科", "三级"
    return "综合", "三级"


def demo_orgs(extra: int = 0, compact: bool = False) -> list[DemoOrg]:
    """`compact`: two districts per city (and 奉化区), for tests that evaluate the whole tree."""
    orgs = [DemoOrg(ROOT[0], ROOT[1], None, 1)]
    districts: list[tuple[str, str, float]] = []
    for city, city_name, dists in CITIES:
        orgs.append(DemoOrg(city, city_name, ROOT[0], 2))
        for k, name in enumerate(CITY_HOSPITALS[city], 1):
            typ, grade = _kind(name)
            orgs.append(DemoOrg(f"{city}H{k:02d}", name, city, 4, typ, grade, f"{city_name[:-1]}城市医疗集团", 80.0))
        for code, name, pop in (dists[:2] + [d for d in dists if d[0] == "NBFH"]) if compact else dists:
            orgs.append(DemoOrg(code, name, city, 3))
            districts.append((code, name, pop))
            short = name[:-1] if len(name) > 2 else name
            county = name.endswith(("县", "市"))
            group = f"{short}医共体" if county else f"{city_name[:-1]}城市医疗集团"
            hospitals = [
                (f"{short}第一人民医院", "综合", "三级" if pop >= 80 else "二级", 0.45),
                (f"{short}中医院", "中医", "三级" if pop >= 120 else "二级", 0.2),
                (f"{short}妇幼保健院", "专科", "二级", 0.12),
                (f"{short}第二人民医院", "综合", "二级", 0.23),
            ]
            for k, (hname, typ, grade, share) in enumerate(hospitals, 1):
                orgs.append(DemoOrg(f"{code}{k:02d}", hname, code, 4, typ, grade, group, pop * share))
            for k in range(1, 3):
                label = BASIC_NAMES[1] if county else BASIC_NAMES[0]
                orgs.append(DemoOrg(f"{code}J{k:02d}", f"{short}{STREETS[k]}{label}", code, 4, "基层", "一级", group,
                                    pop * 0.08))
    for n in range(extra):
        code, name, pop = districts[n % len(districts)]
        short = name[:-1] if len(name) > 2 else name
        seq = n // len(districts) + 3
        orgs.append(DemoOrg(f"{code}J{seq:04d}", f"{short}第{seq}社区卫生服务站", code, 4, "基层", "一级", None,
                            pop * 0.02))
    return orgs


def enlarge_count(total: int) -> int:
    """How many extra 基层 orgs bring the tree to `total` orgs (0 when the base tree is larger)."""
    return max(0, total - len(demo_orgs()))
