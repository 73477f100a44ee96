"""A realistic tracking workbook, the way sales teams really keep one (for the demo and the tests).

A title row above the header, dates typed in several spellings, amounts as text with
currency signs, a blank row, a duplicate customer, an invalid e-mail, an unreadable date,
an orders sheet with spelling variants and an unknown customer, and an unrelated sheet.
The same seed and the same `today` always give the same workbook.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from xlcrm.core.edits import DATE, TEXT, PutSheet
from xlcrm.core.fit import fitted

STAGES = {
    "zh": ["见到客户", "发现机会", "确认机会", "明确需求", "方案报价", "客户承诺", "验收", "收款"],
    "en": ["Met customer", "Opportunity found", "Opportunity confirmed", "Needs defined", "Proposal",
           "Commitment", "Acceptance", "Payment"],
}
HEADERS = {
    "zh": ["序号", "客户名称", "联系人", "称呼", "职务", "手机", "邮箱", "负责人", "客户来源", "生日", "首次联系日期",
           "最近联系日期", "下次跟进", "阶段", "进入阶段日期", "成交日期", "到货日期", "预约日期", "累计成交金额",
           "退订", "备注"],
    "en": ["No.", "Customer", "Contact", "Salutation", "Title", "Mobile", "Email", "Owner", "Source", "Birthday",
           "First contact", "Last contact", "Next follow-up", "Stage", "In stage since", "Deal won", "Delivered",
           "Appointment", "Total amount", "Opt-out", "Notes"],
}
ORDER_HEADERS = {"zh": ["订单号", "下单日期", "客户名称", "产品", "金额"],
                 "en": ["Order no.", "Order date", "Customer", "Product", "Amount"]}
SHEET_NAMES = {"zh": ("客户跟踪表", "订单记录", "产品价目表"), "en": ("Customers", "Orders", "Price list")}
TITLE = {"zh": "{year}年客户跟踪表(销售一部)", "en": "Customer tracking {year} (Sales team 1)"}

_CITIES = [("杭州", "hz"), ("上海", "sh"), ("苏州", "sz"), ("宁波", "nb"), ("南京", "nj"), ("广州", "gz"),
           ("深圳", "sz"), ("成都", "cd"), ("武汉", "wh"), ("青岛", "qd")]
_WORDS = [("恒信", "hengxin"), ("华腾", "huateng"), ("金石", "jinshi"), ("远航", "yuanhang"), ("瑞丰", "ruifeng"),
          ("宏达", "hongda"), ("东方", "dongfang"), ("新元", "xinyuan"), ("泰和", "taihe"), ("嘉诚", "jiacheng"),
          ("联创", "lianchuang"), ("天成", "tiancheng"), ("盛世", "shengshi"), ("明辉", "minghui")]
_TRADES = [("机械", "jixie"), ("电子", "dianzi"), ("贸易", "maoyi"), ("科技", "keji"), ("包装", "baozhuang"),
           ("食品", "shipin"), ("建材", "jiancai"), ("物流", "wuliu")]
_SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
             ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu")]
_GIVEN = [("伟", "wei"), ("芳", "fang"), ("敏", "min"), ("静", "jing"), ("强", "qiang"), ("磊", "lei"),
          ("洋", "yang"), ("婷", "ting"), ("军", "jun"), ("杰", "jie")]
_TITLES_ZH = [("总经理", "总"), ("采购经理", "经理"), ("副总", "总"), ("采购主管", "主管"), ("技术总监", "总监")]
_EN_COMPANIES = ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adventure", "Proseware", "Wingtip",
                 "Alpine", "Bluefin", "Coho", "Lucerne", "Margie", "Woodgrove"]
_EN_TRADES = ["Trading", "Foods", "Logistics", "Electronics", "Packaging", "Machinery", "Supplies", "Systems"]
_EN_FIRST = ["James", "Mary", "Robert", "Linda", "David", "Susan", "Daniel", "Karen", "Paul", "Emma"]
_EN_LAST = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Evans", "Walker", "Wright", "Green", "Hall"]
_OWNERS = {"zh": ["张磊", "李娜", "王芳", "刘洋"], "en": ["Alice Chen", "Bob Li", "Carol Wang", "Dan Liu"]}
_SOURCES = {"zh": ["展会", "转介绍", "官网", "电话开发", "老客户"], "en": ["Trade fair", "Referral", "Website",
                                                                         "Cold call", "Existing"]}
_PRODUCTS = {"zh": [("数控机床配件", 3800), ("包装耗材", 650), ("检测仪器", 12800), ("维保服务", 2400),
                    ("定制模具", 8600)],
             "en": [("Machine parts", 3800), ("Packaging supplies", 650), ("Test instrument", 12800),
                    ("Maintenance plan", 2400), ("Custom mould", 8600)]}


@dataclass
class _Customer:
    name: str
    slug: str
    contact: str
    contact_slug: str
    salutation: str
    title: str
    owner: str
    orders: list[tuple[dt.date, float, str]]


def make_sample(customers: int = 60, lang: str = "zh", seed: int = 1, today: dt.date | None = None) -> list[PutSheet]:
    """The sheets of a sample tracking workbook."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    people = [_person(rng, lang, i) for i in range(customers)]
    for person in people:
        person.orders = _orders(rng, lang, today)
    return [_customer_sheet(rng, lang, people, today), _orders_sheet(rng, lang, people, today), _price_sheet(lang)]


def _person(rng: random.Random, lang: str, index: int) -> _Customer:
    if lang == "zh":
        city, city_py = _CITIES[index % len(_CITIES)]
        word, word_py = _WORDS[(index // len(_CITIES)) % len(_WORDS)]
        trade, trade_py = rng.choice(_TRADES)
        suffix = "" if index < len(_CITIES) * len(_WORDS) else str(index)
        surname, sur_py = rng.choice(_SURNAMES)
        given, given_py = rng.choice(_GIVEN)
        title, honorific = rng.choice(_TITLES_ZH)
        return _Customer(f"{city}{word}{trade}{suffix}有限公司", f"{word_py}-{trade_py}{suffix}.{city_py}",
                         surname + given, sur_py + given_py, surname + honorific, title,
                         _OWNERS[lang][index % 4], [])
    company = _EN_COMPANIES[index % len(_EN_COMPANIES)]
    trade = _EN_TRADES[(index // len(_EN_COMPANIES)) % len(_EN_TRADES)]
    suffix = "" if index < len(_EN_COMPANIES) * len(_EN_TRADES) else f" {index}"
    first, last = rng.choice(_EN_FIRST), rng.choice(_EN_LAST)
    title = rng.choice(["Purchasing Manager", "CEO", "Operations Director", "Buyer"])
    return _Customer(f"{company} {trade}{suffix} Ltd", f"{company}{trade}{suffix.strip()}".lower(),
                     f"{first} {last}", f"{first}.{last}".lower(), f"Mr/Ms {last}", title,
                     _OWNERS[lang][index % 4], [])


def _orders(rng: random.Random, lang: str, today: dt.date) -> list[tuple[dt.date, float, str]]:
    """A buying rhythm: a typical gap, a start, and for some a silence at the end."""
    if rng.random() < 0.2:
        return []  # a prospect
    gap = rng.choice([14, 21, 30, 45, 60, 90])
    count = max(1, int(rng.paretovariate(1.3)))
    silence = rng.choice([0, 0, 0, gap * 3, 200])
    last = today - dt.timedelta(days=rng.randint(1, gap) + silence)
    product, price = rng.choice(_PRODUCTS[lang])
    result = []
    for n in range(min(count, 40)):
        day = last - dt.timedelta(days=n * gap + rng.randint(-3, 3))
        result.append((day, round(price * rng.uniform(0.5, 3.0), 2), product))
    return sorted(result)


def _date_spelling(rng: random.Random, lang: str, day: dt.date):
    """A date the way someone typed it: a real date cell, or one of the usual text spellings."""
    spellings = [day, day, f"{day.year}/{day.month}/{day.day}", f"{day:%Y-%m-%d}", f"{day:%Y.%m.%d}"]
    spellings += [f"{day.year}年{day.month}月{day.day}日"] if lang == "zh" else [f"{day.day} {day:%b %Y}"]
    return rng.choice(spellings)


def _amount_spelling(rng: random.Random, lang: str, amount: float):
    if lang == "zh":
        return rng.choice([amount, f"¥{amount:,.2f}", f"{amount:.0f}元", f"{amount:,.0f}"])
    return rng.choice([amount, f"${amount:,.2f}", f"{amount:,.0f}"])


def _customer_sheet(rng: random.Random, lang: str, people: list[_Customer], today: dt.date) -> PutSheet:
    headers = HEADERS[lang]
    rows: list[list] = [[TITLE[lang].format(year=today.year)], headers]
    for number, person in enumerate(people, start=1):
        rows.append(_customer_row(rng, lang, number, person, today))
        if number == max(2, len(people) // 3):
            rows.append([])  # someone left a blank row
    by_number = {row[0]: row for row in rows[2:] if row}
    if len(people) >= 3:
        twin = list(by_number[1])
        twin[0], twin[1] = len(people) + 1, " " + str(twin[1]).replace("有限公司", " 有限公司") + " "
        rows.append(twin)  # the same customer entered twice
        by_number[2][6] = str(by_number[2][6]).replace("@", "@@")  # a mistyped e-mail
        by_number[3][12] = "下周三" if lang == "zh" else "next Wednesday"  # a date nobody can read
    date_columns = {9, 10, 11, 12, 14, 15, 16, 17}
    return fitted(PutSheet(SHEET_NAMES[lang][0], rows, row_styles={0: "title", 1: "header"},
                           formats={5: TEXT, **{c: DATE for c in date_columns}},
                           merges=(f"A1:{chr(64 + len(headers))}1",), freeze="C3"))


def _customer_row(rng: random.Random, lang: str, number: int, person: _Customer, today: dt.date) -> list:
    stages = STAGES[lang]
    orders = person.orders
    total = round(sum(a for _, a, _ in orders), 2)
    stage = rng.choice(stages[6:]) if orders else rng.choice(stages[:6])
    first = (orders[0][0] if orders else today) - dt.timedelta(days=rng.randint(0, 60))
    if not orders and rng.random() < 0.4:
        first = today - dt.timedelta(days=rng.randint(0, 12))  # a new lead
    last_contact = None if rng.random() < 0.1 else max(first, today - dt.timedelta(days=rng.randint(0, 40)))
    follow = rng.random()
    next_followup = (None if follow < 0.4 else today + dt.timedelta(days=rng.choice([-9, -3, -1, 0, 0, 2, 5, 12, 30])))
    birthday = None
    if rng.random() < 0.6:
        born = dt.date(rng.randint(1965, 1995), rng.randint(1, 12), rng.randint(1, 28))
        birthday = rng.choice([born, f"{born:%Y-%m-%d}", f"{born.month}月{born.day}日" if lang == "zh" else
                               f"{born.day} {born:%B}"])
    if number == 5:
        birthday = "1988年2月29日" if lang == "zh" else "29 Feb 1988"
    stage_since = today - dt.timedelta(days=rng.choice([3, 10, 25, 45, 80]))
    won = orders[-1][0] if orders and rng.random() < 0.5 else None
    delivered = today - dt.timedelta(days=rng.randint(1, 12)) if orders and rng.random() < 0.2 else None
    appointment = today + dt.timedelta(days=rng.randint(1, 12)) if rng.random() < 0.15 else None
    phone = rng.choice(["13", "15", "18"]) + "".join(str(rng.randint(0, 9)) for _ in range(9))
    phone_cell = rng.choice([int(phone), phone, f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"])
    opt_out = (rng.choice(["是", "√"]) if lang == "zh" else rng.choice(["yes", "x"])) if rng.random() < 0.05 else None
    spelled = [None if d is None else _date_spelling(rng, lang, d)
               for d in (first, last_contact, next_followup, stage_since, won, delivered, appointment)]
    return [number, person.name, person.contact, person.salutation, person.title, phone_cell,
            f"{person.contact_slug}@{person.slug}.example.com", person.owner,
            rng.choice(_SOURCES[lang]), birthday, *spelled[:3], stage, *spelled[3:],
            _amount_spelling(rng, lang, total) if orders else None, opt_out,
            rng.choice(["", "", "重点跟进", "价格敏感", "需要样品"] if lang == "zh" else
                       ["", "", "Key account", "Price sensitive", "Wants samples"]) or None]


def _orders_sheet(rng: random.Random, lang: str, people: list[_Customer], today: dt.date) -> PutSheet:
    orders = [(day, person.name, product, amount) for person in people for day, amount, product in person.orders]
    if orders:
        day, name, product, amount = orders[len(orders) // 2]
        orders.append((min(day + dt.timedelta(days=5), today), name, product, -round(amount / 2, 2)))  # a refund
        unknown = "温州未知贸易有限公司" if lang == "zh" else "Unknown Imports Ltd"
        orders.append((today - dt.timedelta(days=20), unknown, product, 999.0))
    rows: list[list] = [ORDER_HEADERS[lang]]
    for number, (day, name, product, amount) in enumerate(sorted(orders), start=1):
        variant = name if rng.random() < 0.9 else f" {name}\u3000"  # stray and full-width spaces
        rows.append([f"SO{today.year % 100:02d}{number:05d}", _date_spelling(rng, lang, day), variant, product,
                     _amount_spelling(rng, lang, amount)])
    return fitted(PutSheet(SHEET_NAMES[lang][1], rows, row_styles={0: "header"}, formats={1: DATE}, freeze="A2"))


def _price_sheet(lang: str) -> PutSheet:
    header = ["产品", "单价", "说明"] if lang == "zh" else ["Product", "Unit price", "Notes"]
    rows = [header] + [[name, price, ""] for name, price in _PRODUCTS[lang]]
    return fitted(PutSheet(SHEET_NAMES[lang][2], rows, row_styles={0: "header"}))
