// Labels of the dashboard: Chinese by default, English on the switch (kept in localStorage).
"use strict";

const LABELS = {
  zh: {
    title: "全域监控", login: "登录", org: "机构", username: "用户名", password: "密码",
    sign_in: "登录", logout: "退出", overview: "总览", complaints: "投诉队列", gangs: "团伙",
    content: "内容监测", cases: "案件", audit: "审计日志",
    assessed: "已评估投诉", share_agent: "代理维权占比", per_day: "每日投诉（按结论）",
    outcomes: "结论分布", top_rules: "命中最多的规则", by_channel: "投诉渠道",
    top_gangs: "主要团伙", content_hits: "内容命中（平台 × 等级）", cases_by_status: "案件状态",
    genuine: "正常投诉", review: "待复核", agent_driven: "代理维权", malicious: "恶意投诉",
    risk: "风险分", outcome: "结论", rules: "命中规则", channel: "渠道", received: "收到时间",
    role: "自称身份", phone: "联系电话", explanation: "说明", complaint: "投诉",
    min_risk: "最低风险分", rule: "规则", all: "全部", filter: "筛选", prev: "上一页",
    next: "下一页", of: "共", evidence: "证据", attachments: "附件", text: "投诉内容",
    reveal: "查看完整个人信息（将记入审计）", revealed: "已显示完整信息（已审计）",
    masked_note: "个人信息默认脱敏", back: "返回", none: "无", gang: "团伙", kind: "类型",
    score: "评分", customers: "客户数", members: "成员", graph_hint: "点击节点展开其关联",
    platform: "平台", level: "等级", category: "类别", matched: "命中词", contacts: "联系方式",
    status: "状态", title_: "标题", opened: "立案时间", assignee: "负责人",
    events: "案件记录", export_package: "导出证据包", exported: "已导出", actor: "操作人",
    action: "操作", target: "对象", at: "时间", sha256: "SHA-256", source: "来源",
    nothing: "暂无数据", error: "出错了", records: "库存记录", customer: "客户", span: "活跃时间", n_complaints: "投诉数",
    import: "导入数据", file: "文件", kind_auto: "按文件名判断", encoding: "编码",
    encoding_auto: "自动识别", upload: "上传并导入", importing: "正在导入…", rows_ok: "导入行数",
    rows_rejected: "拒收行数", reasons: "拒收原因", rejected_rows: "拒收明细", row: "行号",
    column: "字段", reason: "原因", complete: "已完成", running: "未完成（再次导入即续传）",
    import_hint: "机构导出的 CSV（UTF-8 或 GBK/GB18030）、JSON Lines 或 Excel；同一编号再次导入时更新原记录，不会重复。",
  },
  en: {
    title: "Monitoring", login: "Log in", org: "Institution", username: "Username",
    password: "Password", sign_in: "Log in", logout: "Log out", overview: "Overview",
    complaints: "Complaint queue", gangs: "Gangs", content: "Content", cases: "Cases",
    audit: "Audit log", assessed: "Complaints assessed", share_agent: "Share agent-driven",
    per_day: "Complaints per day by outcome", outcomes: "Outcomes", top_rules: "Top rules",
    by_channel: "Channels", top_gangs: "Top gangs", content_hits: "Content hits by platform and level",
    cases_by_status: "Cases by status", genuine: "Genuine", review: "Review",
    agent_driven: "Agent-driven", malicious: "Malicious", risk: "Risk", outcome: "Outcome",
    rules: "Rules", channel: "Channel", received: "Received", role: "Claimed role",
    phone: "Contact phone", explanation: "Explanation", complaint: "Complaint",
    min_risk: "Min. risk", rule: "Rule", all: "All", filter: "Filter", prev: "Previous",
    next: "Next", of: "of", evidence: "Evidence", attachments: "Attachments", text: "Text",
    reveal: "Reveal personal data (audited)", revealed: "Personal data revealed (audited)",
    masked_note: "Personal data masked by default", back: "Back", none: "None", gang: "Gang",
    kind: "Kind", score: "Score", customers: "Customers", members: "Members",
    graph_hint: "Click a node to expand its neighbours", platform: "Platform", level: "Level",
    category: "Category", matched: "Matched", contacts: "Contacts", status: "Status",
    title_: "Title", opened: "Opened", assignee: "Assignee", events: "Events",
    export_package: "Export evidence package", exported: "Exported", actor: "Actor",
    action: "Action", target: "Target", at: "At", sha256: "SHA-256", source: "Source",
    nothing: "Nothing yet", error: "Error", records: "Records held", customer: "Customer", span: "Active", n_complaints: "Complaints",
    import: "Import", file: "File", kind_auto: "From the file name", encoding: "Encoding",
    encoding_auto: "Detect", upload: "Upload and import", importing: "Importing…",
    rows_ok: "Rows imported", rows_rejected: "Rows rejected", reasons: "Reasons for rejection",
    rejected_rows: "Rejected rows", row: "Row", column: "Column", reason: "Reason",
    complete: "Complete", running: "Unfinished (import it again to resume)",
    import_hint: "An institution's export: CSV (UTF-8 or GBK/GB18030), JSON Lines or Excel. A record imported again under its id is updated, never duplicated.",
  },
};

let LANG = localStorage.getItem("qinglang.lang") || "zh";

function t(key) {
  return (LABELS[LANG] && LABELS[LANG][key]) || LABELS.zh[key] || key;
}

function setLang(lang) {
  LANG = lang;
  localStorage.setItem("qinglang.lang", lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

function translateStatic(root) {
  root.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
}
