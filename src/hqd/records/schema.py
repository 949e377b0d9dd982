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


@dataclass(frozen=True)
class Rule:
    """One validation rule: a condition over typed columns that marks a row as bad, and why."""

    condition: str
    message: str  # Chinese reason; unique, so it also names the rule
    # The one typed column the condition reads, when it reads only one: such a rule can be probed
    # cheaply before the scans (see ``probes.py``). None for rules over several columns.
    column: str | None = None
    # Probe on the column's distinct values rather than row by row: for conditions that the scan
    # cannot evaluate on the file's dictionary (a pattern), over a low-cardinality column.
    on_distinct: bool = False
    # Format and structure rules read helper columns that exist only for text sources (CSV).
    helper: bool = False
    # What the files' statistics (per row group: null count, min, max) must show for the rule to
    # fire on no row: "null" — no NULL in ``column``; "null_or_empty" — no NULL and a minimum
    # above ''; "range" — every column of ``bounds`` within its (low, high) bounds (None: open).
    proof: str | None = None
    bounds: tuple[tuple[str, float | None, float | None], ...] = ()


def _rules() -> list[Rule]:
    """Every rule in order: the first rule a row breaks names it."""
    rules = [Rule("_struct IS NOT NULL", "表格结构错误（字段个数与表头不符）", helper=True)]
    for c in COLUMNS:
        rules.append(Rule(f"_bad_{c.name}", f"{_label(c)}格式无效", helper=True))
        if c.required:
            empty = c.type == "VARCHAR" and c.codes is None
            missing = f"{c.name} IS NULL" + (f" OR {c.name} = ''" if empty else "")
            rules.append(Rule(missing, f"{_label(c)}缺失", c.name, proof="null_or_empty" if empty else "null"))
    for c in COLUMNS:
        if c.codes is None:
            continue
        # An OR chain of equalities: the same meaning as NOT IN, but cheaper than the hash join
        # DuckDB plans for an IN list, on every row.
        values = [f"'{v}'" if c.type == "VARCHAR" else v for v in c.codes]
        allowed = " OR ".join(f"{c.name} = {v}" for v in values)
        # Integer codes that run without a gap (0–1, 1–4) are proven by the column's min and max.
        ints = sorted(int(v) for v in c.codes) if c.type == "INTEGER" else []
        gapless = bool(ints) and ints == list(range(ints[0], ints[-1] + 1))
        rules.append(Rule(f"{c.name} IS NOT NULL AND NOT ({allowed})", f"{_label(c)}代码未知", c.name,
                          proof="range" if gapless else None,
                          bounds=((c.name, ints[0], ints[-1]),) if gapless else ()))
    rules += [
        Rule("los < 0", "实际住院天数小于0", "los", proof="range", bounds=(("los", 0, None),)),
        Rule("discharge_date < admit_date", "出院日期早于入院日期"),
        Rule("age < 0 OR age > 150", "年龄超出0–150岁", "age", proof="range", bounds=(("age", 0, 150),)),
        Rule(f"NOT REGEXP_MATCHES(primary_dx, '{ICD10_PATTERN}')", "主要诊断编码不符合ICD-10格式", "primary_dx",
             on_distinct=True),
        Rule("surgery_count < 0", "手术台次数小于0", "surgery_count", proof="range",
             bounds=(("surgery_count", 0, None),)),
        Rule("surgery_count > 0 AND surgery_grade IS NULL", "有手术但缺少手术级别"),
        Rule("surgery_count = 0 AND (surgery_grade IS NOT NULL OR minimally_invasive = 1 OR day_surgery = 1)",
             "无手术却填写了手术级别、微创或日间手术标志"),
        Rule("total_cost < 0 OR drug_cost < 0 OR material_cost < 0", "费用为负数", proof="range",
             bounds=(("total_cost", 0, None), ("drug_cost", 0, None), ("material_cost", 0, None))),
        Rule("drug_cost + material_cost > total_cost + 0.01", "药品费与卫生材料费之和大于住院总费用"),
        Rule("drg_weight < 0", "DRG权重为负数", "drg_weight", proof="range", bounds=(("drg_weight", 0, None),)),
    ]
    return rules


RULES = tuple(_rules())
RULE_MESSAGES = tuple(r.message for r in RULES)


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


def _inner(raw_view: str, text_columns: set[str], string_columns: set[str] | None,
           structural: bool) -> tuple[str, set[str]]:
    """The typed columns plus the helper columns of format and structure rules; the helpers present."""
    typed, bad = _typed(text_columns, string_columns)
    present = {b.rsplit(" AS ", 1)[1] for b in bad}
    if structural:
        present.add("_struct")
    inner = typed + bad + ["_file", "_line"] + (["NULLIF(_struct, '') AS _struct"] if structural else [])
    return f"SELECT {', '.join(inner)} FROM {raw_view}", present


def _applicable(rules, present: set[str], skip: frozenset[str]) -> list[Rule]:
    """Rules that can fire for this source: helper rules only where their helper column exists,
    and none of the rules in ``skip`` (proven beforehand to fire on no row)."""
    return [r for r in rules if r.message not in skip
            and (not r.helper or r.condition.split()[0] in present)]


def validated_sql(raw_view: str, text_columns: set[str], string_columns: set[str] | None = None,
                  structural: bool = True, skip: frozenset[str] = frozenset()) -> str:
    """SELECT over ``raw_view`` giving typed schema columns, _file, _line and _reason.

    ``text_columns`` names the raw columns stored as text (all of them for CSV), which are parsed
    with TRY_CAST so that a bad value becomes a reported reason instead of a failed query;
    ``string_columns`` names the schema's VARCHAR columns that the raw source stores as strings;
    ``structural`` says whether the source can report structural errors (CSV). Rules that cannot
    fire for this source (a typed Parquet column cannot hold a badly formatted value) are left out,
    and so are the rules named in ``skip``: rules the probes proved to fire on no row. Leaving out
    a rule that matches no row cannot change the first rule any row breaks.
    """
    inner, present = _inner(raw_view, text_columns, string_columns, structural)
    rules = _applicable(RULES, present, skip)
    whens = "\n    ".join(f"WHEN {r.condition} THEN '{r.message}'" for r in rules)
    reason = f"CASE\n    {whens}\n    ELSE NULL END" if rules else "CAST(NULL AS VARCHAR)"
    cols = ", ".join(NAMES)
    return f"SELECT {cols}, _file, _line,\n  {reason} AS _reason\nFROM ({inner}) AS t"


def violation_sql(raw_view: str, text_columns: set[str], string_columns: set[str] | None = None,
                  structural: bool = True, skip: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(SELECT over ``raw_view`` giving the typed schema columns, _file, _line and the helper
    columns of format and structure rules; SQL boolean that holds when a row breaks some rule not
    in ``skip``). A count of the rows where it holds decides whether any row is invalid, without
    naming the first rule each breaks (``validated_sql`` does that)."""
    inner, present = _inner(raw_view, text_columns, string_columns, structural)
    rules = _applicable(RULES, present, skip)
    return inner, " OR ".join(f"({r.condition})" for r in rules) or "FALSE"


def valid_sql(raw_view: str, text_columns: set[str], string_columns: set[str] | None = None,
              structural: bool = True, fired: frozenset[str] = frozenset()) -> str:
    """SELECT over ``raw_view`` giving the typed schema columns, _file and _line of the valid rows,
    once a full validation has counted the rows each rule names: ``fired`` are the messages with a
    non-zero count. A row breaks some rule exactly when it breaks one of those (its first broken
    rule is among them), so only they are evaluated, and none at all on clean data."""
    inner, present = _inner(raw_view, text_columns, string_columns, structural)
    rules = [r for r in _applicable(RULES, present, frozenset()) if r.message in fired]
    # COALESCE: a condition that is NULL does not fire in the CASE above, so it must not here.
    where = " AND ".join(f"NOT COALESCE({r.condition}, FALSE)" for r in rules) or "TRUE"
    return f"SELECT {', '.join(NAMES)}, _file, _line FROM ({inner}) AS t WHERE {where}"
