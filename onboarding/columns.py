"""Which column holds what: headers as rosters and ledgers write them, matched by synonyms.

A header is compared after normalisation (full-width → half-width, spaces, line breaks and
"*" required-marks removed, a bracketed note such as "（必填）" dropped). ``--column
field=表头`` names a column the table does not know. The header row is found among the first
rows (titles above it are skipped); a two-row header (a merged group cell above its
sub-headers, or a cell merged down over both rows) is read as one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from onboarding.tabular import Cell, RawTable, cell_text

# How far down a title may push the header row.
HEADER_SEARCH_ROWS = 12

_PLACE = {
    "township": ("所属乡镇", "乡镇", "乡镇街道", "乡镇(街道)", "所属乡镇(街道)", "镇", "街道",
                 "乡(镇)", "所属街道"),
    "village": ("所属村", "所属村/社区", "所属村(社区)", "村/社区", "村(社区)", "村社区", "村",
                "社区", "村居", "所属社区", "村(居)"),
    "grid": ("所属网格", "网格", "网格名称", "所在网格"),
    "area_code": ("网格编码", "网格编号", "网格代码", "区划代码", "区域编码", "行政区划代码",
                  "统计用区划代码", "所属网格编码"),
}  # fmt: skip

_PERSON = {
    "name": ("姓名", "名字"),
    "gender": ("性别",),
    "phone": ("手机号", "手机号码", "手机", "联系电话", "电话", "联系方式", "移动电话",
              "电话号码"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码"),
}  # fmt: skip

SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "staff": {
        **_PERSON,
        **_PLACE,
        "position": ("职务", "角色", "岗位", "职务/角色", "职务(岗位)", "人员类别"),
        "username": ("用户名", "账号", "登录账号"),
    },
    "units": {
        "name": ("名称", "单位名称", "姓名", "调解员", "调解组织", "队伍名称", "组织名称"),
        "kind": ("类型", "类别", "单位类型", "人员类型", "组织类型"),
        "skills": ("技能", "专长", "技能/专长", "擅长领域", "调解领域", "业务范围", "擅长"),
        "capacity": ("可同时承接", "承接能力", "容量", "同时承接件数"),
        "phone": _PERSON["phone"],
        "travel_mode": ("出行方式", "交通方式", "交通工具"),
        **_PLACE,
    },
    "volunteers": {
        "squad": ("队伍名称", "服务队", "所属队伍", "志愿服务队", "队伍", "所属服务队"),
        **_PERSON,
        "is_leader": ("是否队长", "队长", "职务", "角色", "队内职务"),
        "skills": ("技能", "专长", "技能/专长", "服务领域"),
        **_PLACE,
    },
    "ledger": {
        "number": ("编号", "案件编号", "登记编号", "台账编号", "纠纷编号", "信访编号", "受理编号"),
        "received": ("登记时间", "受理时间", "登记日期", "受理日期", "排查时间", "排查日期",
                     "发生时间", "来访时间", "信访日期"),
        "category": ("类别", "纠纷类型", "矛盾纠纷类型", "纠纷类别", "类型", "事项类别",
                     "问题类别", "信访类别", "问题类型"),
        "description": ("简要情况", "事由", "基本情况", "纠纷简要情况", "主要诉求", "内容",
                        "简要案情", "反映问题", "主要内容", "诉求内容"),
        "parties": ("当事人", "当事人姓名", "双方当事人", "信访人", "申请人"),
        "address": ("地点", "发生地址", "发生地点", "地址", "详细地址"),
        "lon": ("经度",),
        "lat": ("纬度",),
        "crs": ("坐标系",),
        "outcome": ("化解结果", "办理结果", "调处结果", "处理结果", "化解情况", "办理情况",
                    "调处情况", "结果"),
        "closed": ("办结时间", "化解时间", "办结日期", "化解日期", "结案时间", "结案日期"),
        "unit": ("责任单位", "承办单位", "调处单位", "办理单位"),
        "source": ("来源", "受理方式", "登记方式"),
        "tier": ("等级", "级别", "纠纷等级"),
        **_PLACE,
    },
}  # fmt: skip

_BRACKETS = re.compile(r"[(\[【][^)\]】]*[)\]】]")
_NOISE = re.compile(r"[\s*＊:：]+")


def normalise_header(text: str) -> str:
    """A header as compared: half-width, no spaces or marks, a bracketed note dropped."""
    text = unicodedata.normalize("NFKC", text)
    text = _NOISE.sub("", text)
    stripped = _BRACKETS.sub("", text)
    return stripped or text


def _lookup(kind: str, extra: dict[str, str]) -> dict[str, str]:
    """Normalised header → field, for one kind (``extra``: field → header from --column)."""
    table: dict[str, str] = {}
    for field, headers in SYNONYMS[kind].items():
        for header in headers:
            table.setdefault(normalise_header(header), field)
            # Keep "所属村(社区)" findable as written, brackets and all.
            table.setdefault(_NOISE.sub("", unicodedata.normalize("NFKC", header)), field)
    for field, header in extra.items():
        table[normalise_header(header)] = field
        table[_NOISE.sub("", unicodedata.normalize("NFKC", header))] = field
    return table


class HeaderError(ValueError):
    """No header row, or an unusable --column option."""


@dataclass(frozen=True)
class Columns:
    """The header as found: field → column index, and each column's header text."""

    fields: dict[str, int]
    headers: list[str]
    first_data_index: int  # index into RawTable.rows of the first row below the header
    header_row: int  # spreadsheet row number of the (last) header row

    def header_of(self, field: str) -> str:
        """The header text of ``field``'s column as the file writes it (for reports)."""
        index = self.fields.get(field)
        return self.headers[index] if index is not None else field

    def value(self, row: list[Cell], field: str) -> Cell:
        """The cell of ``field`` in ``row`` (None when the column is absent or short)."""
        index = self.fields.get(field)
        if index is None or index >= len(row):
            return None
        return row[index]

    def text(self, row: list[Cell], field: str) -> str:
        """The cell of ``field`` as stripped text."""
        return cell_text(self.value(row, field))


def parse_column_options(options: list[str] | None, kind: str) -> dict[str, str]:
    """``["name=人员姓名", …]`` → ``{"name": "人员姓名"}``; unknown fields are refused."""
    result: dict[str, str] = {}
    for option in options or []:
        field, sep, header = option.partition("=")
        field, header = field.strip(), header.strip()
        if not sep or not field or not header:
            raise HeaderError(
                _("--column takes field=header, got %(option)r.") % {"option": option}
            )
        if field not in SYNONYMS[kind]:
            raise HeaderError(
                _("--column: %(field)s is not a field of %(kind)s; fields: %(fields)s.")
                % {"field": field, "kind": kind, "fields": ", ".join(SYNONYMS[kind])}
            )
        result[field] = header
    return result


def _matches(row: list[Cell], table: dict[str, str]) -> dict[int, str]:
    found: dict[int, str] = {}
    for index, value in enumerate(row):
        if isinstance(value, str) and value.strip():
            field = table.get(normalise_header(value)) or table.get(
                _NOISE.sub("", unicodedata.normalize("NFKC", value))
            )
            if field is not None:
                found[index] = field
    return found


def find_columns(
    raw: RawTable, kind: str, *, extra: dict[str, str] | None = None, required: tuple[str, ...]
) -> Columns:
    """Find the header row(s) of ``raw`` for ``kind`` and map fields to columns.

    The header is the row among the first HEADER_SEARCH_ROWS with the most known headers; the
    row below joins it when it names further fields (a two-row header with merged cells), and
    the lower row's sub-header wins where both name one. Raises HeaderError naming the
    ``required`` fields that no column holds.
    """
    table = _lookup(kind, extra or {})
    scored = [(len(_matches(row, table)), i) for i, row in enumerate(raw.rows[:HEADER_SEARCH_ROWS])]
    best = max(scored, key=lambda item: (item[0], -item[1]), default=(0, 0))
    if best[0] == 0:
        raise HeaderError(
            _("No header row found in the first %(n)d rows: expected headers such as %(examples)s.")
            % {"n": HEADER_SEARCH_ROWS, "examples": "、".join(_examples(kind, required))}
        )
    top = best[1]
    upper = _matches(raw.rows[top], table)
    rows = [raw.rows[top]]
    last = top
    lower: dict[int, str] = {}
    if top + 1 < len(raw.rows):
        lower = _matches(raw.rows[top + 1], table)
        if _continues_header(raw.rows[top], raw.rows[top + 1], lower):
            rows.append(raw.rows[top + 1])
            last = top + 1
        else:
            lower = {}
    fields: dict[str, int] = {}
    # A sub-header names its column more exactly than the group cell above it.
    for index, field in [*sorted(lower.items()), *sorted(upper.items())]:
        fields.setdefault(field, index)
    width = max(len(row) for row in rows)
    headers = []
    for index in range(width):
        texts = [
            cell_text(row[index]) for row in rows if index < len(row) and cell_text(row[index])
        ]
        headers.append(texts[-1] if texts else "")
    missing = [field for field in required if field not in fields]
    if missing:
        raise HeaderError(
            _("Row %(row)d is read as the header, but no column holds %(missing)s; name the "
              "column with --column field=header (expected headers such as %(examples)s).")
            % {
                "row": last + 1,
                "missing": ", ".join(missing),
                "examples": "、".join(_examples(kind, tuple(missing))),
            }
        )  # fmt: skip
    return Columns(fields=fields, headers=headers, first_data_index=last + 1, header_row=last + 1)


def _nonblank(row: list[Cell]) -> int:
    return sum(1 for value in row if cell_text(value))


def _continues_header(upper: list[Cell], lower: list[Cell], found: dict[int, str]) -> bool:
    """Whether the row below the header is a second header row (merged cells above it).

    Sub-headers under a merged group cell, or a row that is mostly empty under cells merged
    down over both rows. One data cell that happens to read like a header (a 职务 of 队长) is
    not enough: it takes two known headers, or one in a row at most half as full as the header.
    """
    if not found:
        return False
    return len(found) >= 2 or _nonblank(lower) * 2 <= _nonblank(upper)


def _examples(kind: str, fields: tuple[str, ...]) -> list[str]:
    chosen = fields or tuple(SYNONYMS[kind])[:3]
    return [SYNONYMS[kind][field][0] for field in chosen if field in SYNONYMS[kind]]
