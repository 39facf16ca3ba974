"""The referral report as PDF (fpdf2), with Noto Sans SC embedded so that Chinese renders on
any reader; only the glyphs used are embedded (a subset), and the document's dates are the
report's own, so the same report gives the same bytes.
"""

from __future__ import annotations

from datetime import timezone

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from pylopdf_fonts_zh_cn import sans_path

from qinglang.disposal.diagram import (
    CUSTOMER_COLOUR, KIND_LABELS_ZH, SIZE, Diagram, label_rotation,
)
from qinglang.disposal.report import Report, evidence_label

FONT = "NotoSansSC"
MARGIN = 15
WIDTH = 210 - 2 * MARGIN  # A4 portrait, mm
DIAGRAM_MM, DIAGRAM_MIN_MM = 140, 100
HEADINGS = FontFace(family=FONT, fill_color=(238, 242, 245))


class _ReportPDF(FPDF):
    def __init__(self, report: Report):
        super().__init__(format="A4")
        self.report = report
        self.add_font(FONT, "", str(sans_path()))
        self.set_margins(MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        self.set_title(f"报案材料：{report.title}")
        self.set_subject(f"案件 {report.case_id}")
        self.set_creator("qinglang 清朗")
        self.set_producer("qinglang 清朗")
        self.set_lang("zh-CN")
        self.set_creation_date(report.dated.replace(tzinfo=timezone.utc))

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=8)
        self.set_text_color(120)
        self.cell(0, 5, f"案件 {self.report.case_id} · {self.report.title} · 第 {self.page_no()} 页",
                  align="C")
        self.set_text_color(0)


def render_pdf(report: Report) -> bytes:
    pdf = _ReportPDF(report)
    pdf.add_page()
    _title(pdf, report)
    _section(pdf, "一、案件概况")
    _table(pdf, ["项目", "内容"], [list(r) for r in report.summary], (35, WIDTH - 35))
    _section(pdf, "二、时间线")
    _table(pdf, ["时间", "事项"], [list(r) for r in report.timeline], (35, WIDTH - 35))
    _section(pdf, "三、涉及的号码与账号")
    _table(pdf, ["类型", "号码/账号", "涉及客户", "记录数", "首次", "最近"],
           [[KIND_LABELS_ZH[i.kind], i.shown, str(len(i.customers)), str(i.records),
             i.first_seen, i.last_seen] for i in report.identifiers], (16, 62, 20, 18, 32, 32))
    _section(pdf, "四、涉及金额")
    _table(pdf, ["类别", "笔数", "合计（元）", "最大一笔（元）", "出处"],
           [[a.category.title_zh, str(a.count), f"{a.total:,.2f}", f"{a.largest:,.2f}",
             "、".join(a.sources[:4]) + (" 等" if len(a.sources) > 4 else "")]
            for a in report.amounts], (34, 14, 30, 30, 72))
    room = pdf.page_break_trigger - pdf.get_y() - 30  # heading, legend, note
    side = min(DIAGRAM_MM, room) if room >= DIAGRAM_MIN_MM else DIAGRAM_MM
    _section(pdf, "五、团伙结构", keep_with=side + 8)
    _diagram(pdf, report.diagram, side)
    _section(pdf, "六、命中的识别规则及证据")
    _table(pdf, ["规则", "名称", "投诉数", "证据示例"],
           [[r, t, str(n), "\n".join(ex)] for r, t, n, ex in report.rules], (14, 48, 16, 102))
    _section(pdf, "七、证据清单")
    _evidence_list(pdf, report)
    return bytes(pdf.output())


def _title(pdf: FPDF, report: Report) -> None:
    pdf.set_font(FONT, size=18)
    pdf.multi_cell(WIDTH, 9, f"报案材料：{report.title}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(90)
    privacy = "个人信息已脱敏" if report.masked else "含未脱敏个人信息，仅限报案使用"
    pdf.cell(WIDTH, 6, f"案件编号 {report.case_id} · 材料日期 "
                       f"{report.dated.isoformat(' ', 'minutes')} · {privacy}",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)


def _evidence_list(pdf: FPDF, report: Report) -> None:
    pdf.set_font(FONT, size=8)
    pdf.multi_cell(WIDTH, 4.5, "SHA-256 为证据内容（规范化 JSON 或原始文件）的哈希；证据文件见压缩包"
                               " evidence/ 目录，哈希清单见 manifest.json。",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _line_table(pdf, ["序号", "类型", "来源记录", "来源文件 / 行", "SHA-256"],
                [[str(e["seq"]), evidence_label(e["kind"]),
                  f"{e['source_kind']}/{e['source_id']}",
                  f"{e['source_file'] or ''}"
                  f"{' #' + str(e['source_row']) if e['source_row'] else ''}",
                  e["sha256"]] for e in report.evidence], (10, 13, 44, 36, 77))


def _section(pdf: FPDF, title: str, keep_with: float = 20) -> None:
    """A heading, on a new page unless `keep_with` mm of what follows fits under it."""
    if pdf.get_y() + 11 + keep_with > pdf.h - MARGIN:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, size=13)
    pdf.set_text_color(44, 62, 80)
    pdf.cell(WIDTH, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)


def _table(pdf: FPDF, headers: list[str], rows: list[list[str]], widths: tuple,
           size: float = 8.5) -> None:
    if not rows:
        pdf.set_font(FONT, size=9)
        pdf.cell(WIDTH, 6, "（无）", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    pdf.set_font(FONT, size=size)
    with pdf.table(col_widths=widths, width=WIDTH, line_height=size * 0.55, text_align="LEFT",
                   headings_style=HEADINGS, first_row_as_headings=True) as table:
        table.row(headers)
        for row in rows:
            table.row([str(cell) for cell in row])




def _line_table(pdf: FPDF, headers: list[str], rows: list[list[str]], widths: tuple) -> None:
    """One line a row, cut to its column: for long lists (the evidence), where a wrapping
    table would take seconds for every thousand rows."""
    height = 3.6

    def line(cells: list[str], fill: bool) -> None:
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            line(headers, True)
        for text, width in zip(cells, widths):
            pdf.cell(width, height, _fit(pdf, text, width - 1), border=1, fill=fill)
        pdf.ln(height)

    pdf.set_font(FONT, size=6)
    pdf.set_fill_color(*HEADINGS.fill_color.colors255)
    line(headers, True)
    for row in rows:
        line(row, False)
    pdf.set_fill_color(255)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _diagram(pdf: FPDF, diagram: Diagram, side: float) -> None:
    left, top = MARGIN + (WIDTH - side) / 2, pdf.get_y()
    scale = side / SIZE

    def at(node):
        return left + node.x * scale, top + node.y * scale

    pdf.set_line_width(0.15)
    pdf.set_draw_color(170, 183, 184)
    for a, b in diagram.edges:
        pdf.set_dash_pattern(dash=1, gap=1) if a is diagram.centre else pdf.set_dash_pattern()
        pdf.line(*at(a), *at(b))
    pdf.set_dash_pattern()
    for node in (diagram.centre, *diagram.identifiers, *diagram.customers):
        pdf.set_fill_color(*_rgb(node.colour))
        pdf.circle(*at(node), node.radius * scale, style="F")
    pdf.set_font(FONT, size=7)
    pdf.set_text_color(255)
    x, y = at(diagram.centre)
    pdf.text(x - pdf.get_string_width(diagram.centre.label) / 2, y + 1, diagram.centre.label)
    pdf.set_text_color(0)
    pdf.set_font(FONT, size=4.5)
    for node in diagram.customers:
        _ring_label(pdf, node, at(node), 2)
    pdf.set_font(FONT, size=6)
    pdf.set_fill_color(255)
    for node in diagram.identifiers:
        _boxed_label(pdf, node.label, at(node))
    pdf.set_y(top + side + 2)
    _legend(pdf, diagram)


def _ring_label(pdf: FPDF, node, xy: tuple[float, float], gap: float) -> None:
    rotation, anchor = label_rotation(node)
    x, y = xy
    width = pdf.get_string_width(node.label)
    start = x + gap if anchor == "start" else x - gap - width
    with pdf.rotation(-rotation, x, y):  # PDF turns counter-clockwise, SVG clockwise
        pdf.text(start, y + 0.6, node.label)


def _boxed_label(pdf: FPDF, label: str, xy: tuple[float, float]) -> None:
    """An identifier's label under its node, on white so the lines do not cross it."""
    x, y = xy
    width = pdf.get_string_width(label)
    pdf.rect(x - width / 2 - 0.6, y + 2.2, width + 1.2, 3, style="F")
    pdf.text(x - width / 2, y + 4.6, label)


def _legend(pdf: FPDF, diagram: Diagram) -> None:
    pdf.set_font(FONT, size=8)
    x, y = MARGIN, pdf.get_y()
    for label, colour in [*diagram.legend, ("客户", CUSTOMER_COLOUR)]:
        pdf.set_fill_color(*_rgb(colour))
        pdf.circle(x + 1.5, y + 2, 1.5, style="F")
        pdf.text(x + 4, y + 3, label)
        x += 8 + pdf.get_string_width(label)
    pdf.set_fill_color(255)
    pdf.set_y(y + 6)
    if diagram.hidden_customers or diagram.hidden_identifiers:
        pdf.cell(WIDTH, 5, f"图中另有 {diagram.hidden_customers} 名客户、"
                           f"{diagram.hidden_identifiers} 个号码/账号未画出（见第三部分）。",
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
