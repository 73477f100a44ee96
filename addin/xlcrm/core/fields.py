"""The canonical fields xlcrm understands, and the header spellings teams use for them.

Each field belongs to a table (customers or orders), has a kind that says how its
cells are parsed, a label in both languages, and synonyms matched against headers
after normalisation (full-width folded, case and spaces and punctuation ignored).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from xlcrm.core.i18n import Msg

CUSTOMERS = "customers"
ORDERS = "orders"


@dataclass(frozen=True)
class Field:
    id: str
    table: str
    kind: str  # text | date | birthday | lunar | amount | phone | email | flag | opt_out | int | cadence
    en: str
    zh: str
    synonyms: tuple[str, ...]

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    @property
    def name(self) -> Msg:
        return Msg(self.en, self.zh)


def _f(id, table, kind, en, zh, *synonyms):
    named = (en, zh, *synonyms)
    shortened = tuple(d for d in dict.fromkeys(_day_forms(named)) if d not in named)
    return Field(id, table, kind, en, zh, named + shortened)


def _day_forms(synonyms: tuple[str, ...]) -> list[str]:
    """最后下单日 for 最后下单日期: teams drop the 期. Only for names of three characters or more before it: a
    short one (拜访日) would also be found inside headers such as 拜访日志. Short ones are listed by hand."""
    return [s[:-1] for s in synonyms if s.endswith("日期") and len(s) >= 5 and not s.isascii()]


FIELDS: tuple[Field, ...] = (
    _f("customer", CUSTOMERS, "text", "Customer", "客户名称", "客户", "公司名称", "公司", "客户公司", "单位名称",
       "企业名称", "客户名", "customer name", "company", "company name", "account", "account name", "client",
       "client name",
       "客户单位", "客户全称", "企业", "client company", "organization", "organisation", "business name", "客户姓名", "会员姓名", "会员名称", "会员",
       "顾客姓名", "顾客", "member", "member name"),
    _f("contact", CUSTOMERS, "text", "Contact", "联系人", "联系人姓名", "客户联系人", "对接人", "姓名",
       "contact person", "contact name", "name", "full name"),
    _f("salutation", CUSTOMERS, "text", "Salutation", "称呼", "尊称", "title of address", "greeting name"),
    _f("title", CUSTOMERS, "text", "Job title", "职务", "职位", "岗位", "title", "position", "role"),
    _f("phone", CUSTOMERS, "phone", "Phone", "电话", "手机", "手机号", "手机号码", "联系电话", "电话号码", "联系方式",
       "mobile", "tel", "telephone", "phone number", "mobile phone", "cell", "mobile number", "cell phone", "phone no", "contact number", "telephone number",
       "手机号码1", "联系手机", "手机/电话", "电话/手机",
       "联系人电话", "联系人手机", "联系人手机号", "联系人联系方式", "客户电话", "客户手机"),
    _f("email", CUSTOMERS, "email", "E-mail", "邮箱", "电子邮箱", "电子邮件", "邮件", "邮箱地址", "email", "mail",
       "email address", "联系人邮箱", "客户邮箱"),
    _f("address", CUSTOMERS, "text", "Address", "地址", "联系地址", "公司地址", "门店地址", "详细地址", "收货地址",
       "通讯地址", "street address", "mailing address", "billing address", "shipping address", "location"),
    _f("owner", CUSTOMERS, "text", "Owner", "负责人", "业务员", "销售", "销售员", "销售人员", "跟进人", "客户经理",
       "归属销售", "sales rep", "salesperson", "account manager", "rep", "assigned to", "account owner", "负责销售", "所属销售", "对接销售", "跟进销售", "sales owner",
       "sales person", "salesman", "account executive"),
    _f("birthday", CUSTOMERS, "birthday", "Birthday", "生日", "出生日期", "出生日", "date of birth", "dob", "birth date"),
    _f("lunar_birthday", CUSTOMERS, "lunar", "Lunar birthday", "农历生日", "阴历生日", "生日农历", "生日阴历",
       "农历出生日期", "lunar birthday", "birthday lunar", "chinese birthday"),
    _f("first_contact", CUSTOMERS, "date", "First contact", "首次联系日期", "首次联系", "初次联系", "首次接触",
       "建档日期", "创建日期", "录入日期", "来源日期", "first contact date", "created", "date added", "lead date"),
    _f("last_contact", CUSTOMERS, "date", "Last contact", "最近联系日期", "最近联系", "上次联系", "上次联系日期",
       "最后联系", "最后联系日期", "最近跟进", "最近跟进日期", "last contact date", "last contacted", "last touch", "最后跟进时间", "最近跟进时间",
       "最后跟进日期", "上次跟进", "上次跟进日期", "上次跟进时间", "最后联系时间", "最近联系时间", "上次联系时间", "上次回访",
       "最近回访", "最近回访日期", "last contacted on", "last touch date", "last activity", "last activity date",
       "last follow up", "last follow-up date", "last call", "last call date", "最近到店", "最近到店日期",
       "上次到店", "上次到店日期", "最后到店", "最后到店日期", "last visit", "last visit date", "last visited"),
    _f("next_followup", CUSTOMERS, "date", "Next follow-up", "下次跟进", "下次跟进日期", "下次联系",
       "下次联系日期", "计划跟进日期", "next follow up", "next followup", "next contact", "next contact date",
       "follow-up date", "follow up date", "下次回访", "下次回访日期", "下次回访时间", "下次跟进时间",
       "下次联系时间", "计划回访日期", "next action date", "next action", "next step date", "next call",
       "next follow-up date", "next activity date"),
    _f("cadence_days", CUSTOMERS, "cadence", "Contact every (days)", "联系周期(天)", "跟进周期", "联系周期",
       "跟进周期(天)", "cadence", "cadence days", "contact every"),
    _f("stage", CUSTOMERS, "text", "Stage", "阶段", "销售阶段", "商机阶段", "跟进阶段", "sales stage",
       "deal stage", "pipeline stage"),
    _f("stage_since", CUSTOMERS, "date", "In stage since", "进入阶段日期", "阶段开始日期", "阶段日期",
       "stage date", "stage since", "stage changed"),
    _f("lost_reason", CUSTOMERS, "text", "Lost reason", "输单原因", "丢单原因", "输单理由", "失败原因", "流失原因",
       "lost reason", "loss reason", "reason lost", "closed lost reason", "reason for loss"),
    _f("deal_won", CUSTOMERS, "date", "Deal won", "成交日期", "签约日期", "签单日期", "成交日", "签约日", "签单日",
       "won date", "deal date", "closed date", "close date"),
    _f("delivery", CUSTOMERS, "date", "Delivered", "到货日期", "交付日期", "发货日期", "交货日期", "样品到达日期",
       "到货日", "交付日", "发货日", "交货日", "delivery date", "delivered on", "shipped", "sample arrived",
       "样品到货日期", "到样日期", "收样日期", "签收日期", "到货时间", "交付时间", "arrival date", "arrived on",
       "received on", "sample arrival date"),
    _f("appointment", CUSTOMERS, "date", "Appointment", "预约日期", "约见日期", "拜访日期", "预约时间",
       "appointment date", "meeting date", "visit date",
       "约访日期", "约访时间", "约见时间", "预约拜访", "会面时间", "appointment time", "meeting time"),
    _f("total_amount", CUSTOMERS, "amount", "Total amount", "累计成交金额", "成交金额", "累计金额", "累计销售额",
       "销售总额", "总金额", "total sales", "revenue", "lifetime value", "total revenue", "成交总额", "总成交额", "成交总金额", "累计成交额", "累计消费",
       "消费总额", "累计消费金额", "total spend", "total spent", "lifetime revenue", "ltv"),
    _f("order_count", CUSTOMERS, "int", "Order count", "订单数", "成交次数", "购买次数", "下单次数", "orders",
       "number of orders", "purchases"),
    _f("last_order", CUSTOMERS, "date", "Last order", "最近下单日期", "最近成交日期", "最后下单日期",
       "最近购买日期", "最后购买日期", "最后成交日期", "上次下单日期", "上次购买日期",
       "last order date", "last purchase", "last purchase date"),
    # a class column of the team's own (客户等级 before xlcrm ever ran) is the class they chose
    _f("manual_class", CUSTOMERS, "text", "Manual class", "指定等级", "手动等级", "人工等级", "manual class",
       "class override", "客户等级", "客户级别", "customer class", "class"),
    _f("opt_out", CUSTOMERS, "opt_out", "Opt-out", "退订", "拒收邮件", "不再联系", "免打扰", "opt out", "unsubscribed",
       "do not contact", "do not email"),
    _f("notes", CUSTOMERS, "text", "Notes", "备注", "说明", "note", "remarks", "comments"),
    _f("deal_amount", CUSTOMERS, "amount", "Deal value", "商机金额", "预计金额", "预计成交金额", "报价金额", "项目金额",
       "deal amount", "expected amount", "opportunity value", "pipeline value", "quote amount"),
    _f("order_customer", ORDERS, "text", "Customer", "客户名称", "客户", "公司名称", "公司", "客户公司", "单位名称",
       "customer name", "company", "account", "client", "client name", "company name", "account name", "buyer",
       "name", "full name", "客户姓名", "姓名", "会员", "会员姓名", "顾客", "顾客姓名", "购买人", "买家", "bill to",
       "sold to"),
    _f("order_date", ORDERS, "date", "Order date", "订单日期", "下单日期", "成交日期", "购买日期", "日期",
       "订单日", "下单日", "成交日", "购买日",
       "date", "purchase date", "invoice date"),
    _f("order_amount", ORDERS, "amount", "Amount", "金额", "订单金额", "成交金额", "销售额", "合同金额",
       "order amount", "total", "value", "order value", "sales", "sale amount", "sales amount", "invoice total",
       "invoice amount", "order total", "line total", "total amount", "revenue", "net sales", "subtotal", "price",
       "实付金额", "支付金额", "付款金额", "销售金额", "发票金额", "开票金额", "总价"),
    _f("order_id", ORDERS, "text", "Order no.", "订单号", "订单编号", "单号", "合同号", "order id", "order number",
       "invoice", "invoice no", "invoice number", "invoice id", "order no", "发票号", "发票号码"),
    _f("product", ORDERS, "text", "Product", "产品", "产品名称", "商品", "品名", "product name", "item"),
)

BY_ID = {f.id: f for f in FIELDS}
REQUIRED = {CUSTOMERS: ("customer",), ORDERS: ("order_customer", "order_date", "order_amount")}


def fields_of(table: str) -> tuple[Field, ...]:
    return tuple(f for f in FIELDS if f.table == table)


_HEADER_NOISE = re.compile(r"[\s\-_.:：*()（）\[\]【】/\\#'\"]+")


def norm_header(text: object) -> str:
    """A header reduced to what identifies it: 'E-mail ' and 'email' match, so do （备注） and 备注."""
    text = str(text or "")
    return _HEADER_NOISE.sub("", (text if text.isascii() else unicodedata.normalize("NFKC", text)).lower())

