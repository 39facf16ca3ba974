"""The referral report as one self-contained HTML page (styles and the diagram inline)."""

from __future__ import annotations

from html import escape

from qinglang.disposal.diagram import KIND_LABELS_ZH, to_svg
from qinglang.disposal.report import Report, evidence_label

STYLE = """
body{font-family:"Noto Sans SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:60em;
color:#222;line-height:1.5}
h1{font-size:1.6em;border-bottom:2px solid #2c3e50}h2{font-size:1.2em;margin-top:1.6em;
color:#2c3e50}table{border-collapse:collapse;width:100%;font-size:.9em}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top;
white-space:pre-line}
th{background:#eef2f5}.hash{font-family:monospace;font-size:.8em;word-break:break-all}
.note{color:#666;font-size:.9em}.legend span{display:inline-block;margin-right:1em}
.legend i{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.3em}
svg{display:block;max-width:42em;margin:auto}td:first-child{white-space:nowrap}
"""


def _table(headers: list[str], rows: list[list[str]], hash_column: int | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="hash">{escape(str(v))}</td>' if i == hash_column
            else f"<td>{escape(str(v))}</td>" for i, v in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(report: Report) -> str:
    d = report.diagram
    legend = "".join(f'<span><i style="background:{c}"></i>{escape(k)}</span>'
                     for k, c in report.diagram.legend)
    hidden = (f'<p class="note">图中另有 {d.hidden_customers} 名客户、{d.hidden_identifiers} '
              f"个号码/账号未画出（见第三部分）。</p>" if d.hidden_customers or d.hidden_identifiers
              else "")
    sections = [
        f"<h1>报案材料：{escape(report.title)}</h1>",
        f'<p class="note">案件编号 {report.case_id} · 材料日期 '
        f'{report.dated.isoformat(" ", "minutes")} · '
        + ("个人信息已脱敏" if report.masked else "含未脱敏个人信息，仅限报案使用") + "</p>",
        "<h2>一、案件概况</h2>", _table(["项目", "内容"], [list(r) for r in report.summary]),
        "<h2>二、时间线</h2>", _table(["时间", "事项"], [list(r) for r in report.timeline]),
        "<h2>三、涉及的号码与账号</h2>",
        _table(["类型", "号码/账号", "涉及客户", "记录数", "首次", "最近"],
               [[KIND_LABELS_ZH[i.kind], i.shown, len(i.customers), i.records, i.first_seen,
                 i.last_seen] for i in report.identifiers]),
        "<h2>四、涉及金额</h2>",
        _table(["类别", "笔数", "合计（元）", "最大一笔（元）", "出处"],
               [[a.category.title_zh, a.count, f"{a.total:,.2f}", f"{a.largest:,.2f}",
                 "、".join(a.sources[:6]) + (" 等" if len(a.sources) > 6 else "")]
                for a in report.amounts]),
        "<h2>五、团伙结构</h2>", f'<p class="legend">{legend}'
        '<span><i style="background:#5dade2"></i>客户</span></p>', to_svg(d), hidden,
        "<h2>六、命中的识别规则及证据</h2>",
        _table(["规则", "名称", "投诉数", "证据示例"],
               [[r, t, n, "\n".join(ex)] for r, t, n, ex in report.rules]),
        "<h2>七、证据清单</h2>",
        '<p class="note">SHA-256 为证据内容（规范化 JSON 或原始文件）的哈希；'
        "证据文件见压缩包 evidence/ 目录，哈希清单见 manifest.json。</p>",
        _table(["序号", "类型", "来源记录", "来源文件", "行", "导入时间", "SHA-256"],
               [[e["seq"], evidence_label(e["kind"]), f"{e['source_kind']}/{e['source_id']}",
                 e["source_file"] or "", e["source_row"] or "",
                 str(e["imported_at"] or "")[:19], e["sha256"]] for e in report.evidence],
               hash_column=6),
    ]
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>报案材料 {escape(report.title)}</title><style>{STYLE}</style></head>"
            f"<body>\n" + "\n".join(sections) + "\n</body></html>\n")
