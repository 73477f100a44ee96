"""The templates a new workbook starts with, in both languages, shaped by the team's own rules:
one personal message per customer, a personal salutation (王总，您好！), short warm text, the
owner's name and company as signature, and an invitation to call with any need.

Fields: see the README (greeting_name, customer, contact, owner, owner_phone, company, signature,
occasion, occasion_date, due, detail, appointment, today, and every column of the team's sheet by its header).
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

DIGEST = "digest"

_ZH_CALL = "如有任何需要，欢迎随时来电或直接回复这封邮件。"
_EN_CALL = "If there is anything you need, just call me or reply to this e-mail."


_ZH_STOP = "——\n不想再收到这类邮件？回复这封邮件写“退订”即可，我们不会再发。"
_EN_STOP = "--\nRather not get these e-mails? Reply with \"unsubscribe\" and we will stop."


def _zh(text: str) -> str:
    return "{{ greeting_name }}，您好！\n\n" + text + "\n\n{{ signature }}\n\n" + _ZH_STOP


def _en(text: str) -> str:
    return "Dear {{ greeting_name }},\n\n" + text + "\n\nBest regards,\n\n{{ signature }}\n\n" + _EN_STOP


class DefaultTemplate(TypedDict):
    name: dict[str, str]  # by language, as subject and body
    occasions: tuple[str, ...]
    statuses: tuple[str, ...]
    subject: dict[str, str]
    body: dict[str, str]
    html: NotRequired[bool]


DEFAULTS: list[DefaultTemplate] = [
    {"name": {"zh": "跟进问候", "en": "Check-in"},
     "occasions": ("followup",), "statuses": ("due_today",),
     "subject": {"zh": "{{ greeting_name }}，近来一切可好？", "en": "Checking in, {{ greeting_name }}"},
     "body": {"zh": _zh("我是{% if company %}{{ company }}的{% endif %}{{ owner }}，按约定跟您联系一下：最近工作还顺利吗？"
                        "近期如有采购计划或任何问题，都可以随时告诉我。\n\n" + _ZH_CALL + "\n\n祝工作顺利！"),
              "en": _en("I hope all is well at {{ customer }}. I wanted to check in and see whether there is "
                        "anything we can help you with at the moment.\n\n" + _EN_CALL)}},
    {"name": {"zh": "久未联系问候", "en": "It has been a while"},
     "occasions": ("followup",), "statuses": ("overdue",),
     "subject": {"zh": "{{ greeting_name }}，好久不见，最近可好？", "en": "It has been a while, {{ greeting_name }}"},
     "body": {"zh": _zh("有一阵子没和您联系了，一直惦记着您这边的情况。最近生意还顺利吗？"
                        "如果有新的需求，或对我们的产品和服务有任何想法，都欢迎告诉我。\n\n" + _ZH_CALL),
              "en": _en("It has been a little while since we last spoke, and I wanted to see how things are going. "
                        "If you have new plans, or any thoughts on our products and service, I would love to hear "
                        "them.\n\n" + _EN_CALL)}},
    {"name": {"zh": "新线索首次回复", "en": "Thanks for getting in touch"},
     "occasions": ("first_answer",), "statuses": ("due_today", "overdue"),
     "subject": {"zh": "{{ greeting_name }}，感谢您的关注", "en": "Thank you for getting in touch, {{ greeting_name }}"},
     "body": {"zh": _zh("感谢您对{{ company or '我们' }}的关注！我是{{ owner }}，负责为您服务。"
                        "想先了解一下您的需求：您目前在关注哪些产品或方案？方便的话，回复几句或留个方便通话的时间，"
                        "我来为您详细介绍。\n\n" + _ZH_CALL),
              "en": _en("Thank you for your interest in {{ company or 'us' }}! I am {{ owner }}, and I will be "
                        "looking after you. To help you best, could you tell me a little about what you are looking "
                        "for? A short reply, or a good time for a call, is all I need.\n\n" + _EN_CALL)}},
    {"name": {"zh": "生日祝福", "en": "Birthday greeting"},
     "occasions": ("birthday",), "statuses": ("due_today",),
     "subject": {"zh": "祝{{ greeting_name }}生日快乐！", "en": "Happy birthday, {{ greeting_name }}!"},
     # sent on a working day near the birthday (a Saturday's on the Friday): "today" only when it is
     "body": {"zh": _zh("{% if occasion_date == today %}今天是您的生日，{% endif %}"
                        "{% if company %}{{ company }}的同事们和{% endif %}我祝您生日快乐，身体健康，万事顺意！"
                        "感谢您一直以来的信任与支持。"),
              "en": _en("Happy birthday from all of us{% if company %} at {{ company }}{% endif %}! "
                        "Thank you for your trust and support; I wish you a wonderful year ahead.")}},
    {"name": {"zh": "节日问候", "en": "Holiday greeting"},
     "occasions": ("holiday",), "statuses": ("due_today",),
     "subject": {"zh": "{{ detail or '节日' }}快乐，{{ greeting_name }}！",
                 "en": "Season's greetings, {{ greeting_name }}"},
     # the window runs from days before the holiday to days after it: words right on either side of the day
     "body": {"zh": _zh("{{ detail or '节日' }}快乐！祝您和家人阖家幸福、万事顺意！感谢您一直以来对我们的信任与支持。"
                        "如有任何需要，欢迎随时与我联系。"),
              "en": _en("Warm wishes for {{ detail or 'the holidays' }} to you and your family: may it be a happy and "
                        "restful time. Thank you for your trust this year.\n\n" + _EN_CALL)}},
    {"name": {"zh": "成交致谢", "en": "Thank you"},
     "occasions": ("thanks",), "statuses": (),
     "subject": {"zh": "感谢您的信任，{{ greeting_name }}", "en": "Thank you, {{ greeting_name }}"},
     "body": {"zh": _zh("感谢您选择{{ company or '我们' }}，也感谢您的信任！后续交付和使用中有任何问题，"
                        "我都会全程跟进。\n\n" + _ZH_CALL),
              "en": _en("Thank you for choosing {{ company or 'us' }}, and for your trust! Whatever comes up with "
                        "the delivery or afterwards, I will follow it personally.\n\n" + _EN_CALL)}},
    {"name": {"zh": "预约提醒", "en": "Appointment reminder"},
     "occasions": ("appointment",), "statuses": (),
     "subject": {"zh": "预约提醒：{{ appointment or due }} 与您见面",
                 "en": "Reminder: our meeting on {{ appointment or due }}"},
     "body": {"zh": _zh("温馨提醒：我们约在 {{ appointment or due }} 见面。如时间有变动，请随时告诉我，我来重新安排。"
                        "期待与您见面！"),
              "en": _en("A short reminder that we are meeting on {{ appointment or due }}. If the time no longer "
                        "suits you, just tell me and I will find another. Looking forward to seeing you!")}},
    {"name": {"zh": "回访邀请", "en": "How is it going?"},
     "occasions": ("return_visit", "feedback"), "statuses": (),
     "subject": {"zh": "{{ greeting_name }}，产品使用还顺利吗？", "en": "{{ greeting_name }}, how is it going?"},
     "body": {"zh": _zh("货物到了有一段时间了，想了解一下您用得是否顺利、有没有需要我们改进的地方。"
                        "您的意见对我们很重要，方便时回复几句或给我来个电话都可以。"),
              "en": _en("Your delivery arrived a little while ago, and I would like to know how it is working for "
                        "you and whether there is anything we could do better. A short reply or a call is "
                        "very welcome.")}},
    {"name": {"zh": "每日待办汇总", "en": "Daily digest"},
     "occasions": (DIGEST,), "statuses": (), "html": True,
     "subject": {"zh": "{{ today }} 待跟进客户 {{ customers }} 位（{{ items|length }} 项）",
                 "en": "{{ today }}: {{ customers }} customers to contact ({{ items|length }} items)"},
     "body": {"zh": "<p>{{ owner }}，您好！</p>\n<p>截至 {{ today }}，以下客户需要您跟进：</p>\n"
                    "<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">\n"
                    "<tr><th>客户</th><th>联系人</th><th>电话</th><th>事项</th><th>到期日</th><th>状态</th></tr>\n"
                    "{% for i in items %}<tr><td>{{ i.customer }}</td><td>{{ i.contact }}</td><td>{{ i.phone }}</td>"
                    "<td>{{ i.occasion }}{% if i.detail %}（{{ i.detail }}）{% endif %}</td><td>{{ i.due }}</td>"
                    "<td>{{ i.status }}</td></tr>\n{% endfor %}</table>\n<p>—— xlcrm</p>",
              "en": "<p>Hello {{ owner }},</p>\n<p>These customers are due for contact as of {{ today }}:</p>\n"
                    "<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">\n"
                    "<tr><th>Customer</th><th>Contact</th><th>Phone</th><th>What</th><th>Due</th><th>Status</th></tr>\n"
                    "{% for i in items %}<tr><td>{{ i.customer }}</td><td>{{ i.contact }}</td><td>{{ i.phone }}</td>"
                    "<td>{{ i.occasion }}{% if i.detail %} ({{ i.detail }}){% endif %}</td><td>{{ i.due }}</td>"
                    "<td>{{ i.status }}</td></tr>\n{% endfor %}</table>\n<p>-- xlcrm</p>"}},
]
