"""The discharge-record schema: a documented subset of the 病案首页 (inpatient front sheet).

One row per discharge. Column names are English snake_case; labels are the Chinese field names
users see in error reports. Code lists follow the 病案首页 conventions where they are well known
(离院方式 1–5/9, 入院途径 1/2/3/9, 性别 GB/T 2261.1); yes/no flags are stored as 0/1 integers
(the 首页 itself writes 1=是 2=否 for some of them: convert on export). See docs/records.md.

Validation is data, not code: ``validated_sql`` turns a raw source (typed Parquet or all-text CSV)
into typed columns plus one ``_reason`` column that names the first rule a row breaks. Rows with a
reason are set aside and reported, never silently dropped. The same SQL runs on DuckDB and Spark.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # VARCHAR | INTEGER | DOUBLE | DATE
    label: str  # Chinese field name
    required: bool = True
    codes: tuple[str, ...] | None = None  # allowed codes (VARCHAR) or values (INTEGER flags)
    doc: str = ""


SEX = ("0", "1", "2", "9")  # GB/T 2261.1: 0 未知 1 男 2 女 9 未说明
ROUTE = ("1", "2", "3", "9")  # 入院途径: 1 急诊 2 门诊 3 其他医疗机构转入 9 其他
DISPOSITION = ("1", "2", "3", "4", "5", "9")  # 离院方式: 1 医嘱离院 2 医嘱转院 3 医嘱转社区/乡镇卫生院 4 非医嘱离院 5 死亡 9 其他
INCISION = ("0", "1", "2", "3")  # 切口等级: 0类 Ⅰ类 Ⅱ类 Ⅲ类 (Roman numerals written as digits)
HEALING = ("甲", "乙", "丙", "其他")  # 切口愈合等级; 丙 = 切口化脓 (surgical-site infection)
PAYER = ("01", "02", "03", "04", "05", "06", "07", "08", "99")  # 医疗付费方式
FLAG = ("0", "1")

COLUMNS: tuple[Column, ...] = (
    Column("org_code", "VARCHAR", "医疗机构代码"),
    Column("record_id", "VARCHAR", "病案记录号"),
    Column("admit_date", "DATE", "入院日期"),
    Column("discharge_date", "DATE", "出院日期"),
    Column("los", "INTEGER", "实际住院天数"),
    Column("age", "INTEGER", "年龄"),
    Column("sex", "VARCHAR", "性别", codes=SEX),
    Column("admission_route", "VARCHAR", "入院途径", codes=ROUTE),
    Column("primary_dx", "VARCHAR", "主要诊断编码", doc="ICD-10 (国家临床版), e.g. I63.900"),
    Column("other_dx", "VARCHAR", "其他诊断编码", required=False, doc="ICD-10 codes separated by |"),
    Column("procedure_code", "VARCHAR", "主要手术操作编码", required=False, doc="ICD-9-CM-3 (国家临床版)"),
    Column("surgery_count", "INTEGER", "手术台次数", doc="operations (手术, per the 国临版 手术 list) in this stay"),
    Column("surgery_grade", "INTEGER", "手术级别", required=False, codes=("1", "2", "3", "4"),
           doc="highest grade among the stay's operations; empty when there is no operation"),
    Column("minimally_invasive", "INTEGER", "微创手术标志", codes=FLAG),
    Column("day_surgery", "INTEGER", "日间手术标志", codes=FLAG),
    Column("elective", "INTEGER", "择期手术标志", codes=FLAG),
    Column("incision_class", "VARCHAR", "切口等级", required=False, codes=INCISION),
    Column("healing_grade", "VARCHAR", "切口愈合等级", required=False, codes=HEALING),
    Column("complication", "INTEGER", "手术并发症标志", codes=FLAG,
           doc="1 when a secondary diagnosis on the manual's complication list arose after admission"),
    Column("discharge_disposition", "VARCHAR", "离院方式", codes=DISPOSITION),
    Column("drg_code", "VARCHAR", "DRG组", required=False, doc="empty = 未入组 (ungrouped)"),
    Column("drg_weight", "DOUBLE", "DRG权重", required=False),
    Column("total_cost", "DOUBLE", "住院总费用"),
    Column("drug_cost", "DOUBLE", "药品费"),
    Column("material_cost", "DOUBLE", "卫生材料费"),
    Column("payer", "VARCHAR", "医疗付费方式", required=False, codes=PAYER),
)

BY_NAME = {c.name: c for c in COLUMNS}
NAMES = tuple(c.name for c in COLUMNS)
REQUIRED = tuple(c.name for c in COLUMNS if c.required)

# Structural columns every raw source view carries besides the schema: source file and 1-based
# line (CSV, counting the header as line 1) or row number (Parquet), NULL where unknown; and a
# structural problem found while reading (a CSV row with the wrong number of fields).
META = ("_file", "_line", "_struct")

ICD10_PATTERN = "^[A-Za-z][0-9]{2}"


def _label(c: Column) -> str:
    return f"{c.label}（{c.name}）"


def _typed_expr(c: Column, raw_is_text: bool, raw_is_string: bool) -> tuple[str, str]:
    """(typed expression, 'format is bad' expression) for one column of the raw view.

    Text from CSV is trimmed and empty strings become NULL. Strings already typed in Parquet are
    used as they are, so that the engine keeps them dictionary-encoded and pushes filters into the
    scan (trimming millions of strings costs more than all the measures): there an empty string
    is a value, and an invalid code is reported as such. Only ``drg_code`` maps '' to NULL
    (未入组), because it is a join key.
    """
    q = f'"{c.name}"'
    if c.type == "VARCHAR":
        if raw_is_text:
            return f"NULLIF(TRIM({q}), '')", "FALSE"
        if raw_is_string:
            return (f"NULLIF({q}, '')" if c.name == "drg_code" else q), "FALSE"
        return f"CAST({q} AS VARCHAR)", "FALSE"
    if raw_is_text:
        text = f"NULLIF(TRIM({q}), '')"
        if c.type == "DATE":
            text = f"REPLACE({text}, '/', '-')"
        typed = f"TRY_CAST({text} AS {c.type})"
        return typed, f"({text} IS NOT NULL AND {typed} IS NULL)"
    return f"TRY_CAST({q} AS {c.type})", "FALSE"


def _rules() -> list[tuple[str, str]]:
    """(condition over typed columns, Chinese reason). The first matching rule names the row."""
    rules: list[tuple[str, str]] = [("_struct IS NOT NULL", "表格结构错误（字段个数与表头不符）")]
    for c in COLUMNS:
        rules.append((f"_bad_{c.name}", f"{_label(c)}格式无效"))
        if c.required:
            missing = f"{c.name} IS NULL" + (f" OR {c.name} = ''" if c.type == "VARCHAR" and c.codes is None else "")
            rules.append((missing, f"{_label(c)}缺失"))
    for c in COLUMNS:
        if c.codes is None:
            continue
        # An OR chain of equalities: the same meaning as NOT IN, but cheaper than the hash join
        # DuckDB plans for an IN list, on every row.
        values = [f"'{v}'" if c.type == "VARCHAR" else v for v in c.codes]
        allowed = " OR ".join(f"{c.name} = {v}" for v in values)
        rules.append((f"{c.name} IS NOT NULL AND NOT ({allowed})", f"{_label(c)}代码未知"))
    rules += [
        ("los < 0", "实际住院天数小于0"),
        ("discharge_date < admit_date", "出院日期早于入院日期"),
        ("age < 0 OR age > 150", "年龄超出0–150岁"),
        (f"NOT REGEXP_MATCHES(primary_dx, '{ICD10_PATTERN}')", "主要诊断编码不符合ICD-10格式"),
        ("surgery_count < 0", "手术台次数小于0"),
        ("surgery_count > 0 AND surgery_grade IS NULL", "有手术但缺少手术级别"),
        ("surgery_count = 0 AND (surgery_grade IS NOT NULL OR minimally_invasive = 1 OR day_surgery = 1)",
         "无手术却填写了手术级别、微创或日间手术标志"),
        ("total_cost < 0 OR drug_cost < 0 OR material_cost < 0", "费用为负数"),
        ("drug_cost + material_cost > total_cost + 0.01", "药品费与卫生材料费之和大于住院总费用"),
        ("drg_weight < 0", "DRG权重为负数"),
    ]
    return rules


RULE_MESSAGES = tuple(msg for _, msg in _rules())


def _typed(text_columns: set[str], string_columns: set[str] | None) -> tuple[list[str], list[str]]:
    strings = set(NAMES) if string_columns is None else string_columns
    typed, bad = [], []
    for c in COLUMNS:
        t, b = _typed_expr(c, c.name in text_columns, c.name in strings)
        typed.append(f"{t} AS {c.name}")
        if b != "FALSE":
            bad.append(f"{b} AS _bad_{c.name}")
    return typed, bad


def typed_sql(raw_view: str, text_columns: set[str], string_columns: set[str] | None = None) -> str:
    """SELECT over ``raw_view`` giving the typed schema columns, _file and _line, without the rules."""
    typed, _ = _typed(text_columns, string_columns)
    return f"SELECT {', '.join(typed)}, _file, _line FROM {raw_view}"


def validated_sql(raw_view: str, text_columns: set[str], string_columns: set[str] | None = None,
                  structural: bool = True) -> str:
    """SELECT over ``raw_view`` giving typed schema columns, _file, _line and _reason.

    ``text_columns`` names the raw columns stored as text (all of them for CSV), which are parsed
    with TRY_CAST so that a bad value becomes a reported reason instead of a failed query;
    ``string_columns`` names the schema's VARCHAR columns that the raw source stores as strings;
    ``structural`` says whether the source can report structural errors (CSV). Rules that cannot
    fire for this source (a typed Parquet column cannot hold a badly formatted value) are left out.
    """
    typed, bad = _typed(text_columns, string_columns)
    present = {b.rsplit(" AS ", 1)[1] for b in bad}
    if structural:
        present.add("_struct")
    rules = [
        (cond, msg) for cond, msg in _rules()
        if not (cond.startswith("_bad_") or cond.startswith("_struct")) or cond.split()[0] in present
    ]
    inner = typed + bad + ["_file", "_line"] + (["NULLIF(_struct, '') AS _struct"] if structural else [])
    whens = "\n    ".join(f"WHEN {cond} THEN '{msg}'" for cond, msg in rules)
    cols = ", ".join(NAMES)
    return (
        f"SELECT {cols}, _file, _line,\n  CASE\n    {whens}\n    ELSE NULL END AS _reason\n"
        f"FROM (SELECT {', '.join(inner)} FROM {raw_view}) AS t"
    )
