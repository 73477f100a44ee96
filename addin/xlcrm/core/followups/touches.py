"""Due touches: one reason to contact one customer by a date.

The follow-up rules produce them (regular contact, first answer to a new lead, feedback
after a delivery, birthday, holiday, thank-you, return visit, appointment reminder); the due
list shows them per owner and the mail merge turns them into messages. A touch is a row of a
DataFrame with these columns:

  row       Excel row of the customer in the team's sheet (int)
  key       customer key (records.customer_key), the same for every row of one customer
  customer  the customer's name as typed
  owner     the owner's name, or None
  occasion  one of OCCASIONS
  due       the date the touch is due (datetime64)
  status    one of STATUSES, as of the day the touches were computed
  detail    what it is about, e.g. the holiday's name or the stage a deal is stuck in (str or None)
  occasion_date  the day of the occasion itself: the holiday, the birthday, the appointment, the deal or
            delivery (datetime64; NaT for regular follow-ups and stuck deals)
"""

from __future__ import annotations

from xlcrm.core.i18n import Msg

TOUCH_COLUMNS = ("row", "key", "customer", "owner", "occasion", "due", "status", "detail", "occasion_date")

OCCASIONS = {
    "followup": Msg("Regular follow-up", "定期跟进"),
    "first_answer": Msg("First answer to a new lead", "新线索首次回复"),
    "feedback": Msg("Feedback call after delivery or samples", "到货/样品反馈回访"),
    "birthday": Msg("Birthday", "生日"),
    "holiday": Msg("Holiday greeting", "节日问候"),
    "thanks": Msg("Thank-you after a deal", "成交致谢"),
    "return_visit": Msg("Return visit after delivery", "交付后回访"),
    "appointment": Msg("Appointment reminder", "预约提醒"),
    "stuck": Msg("Deal stuck in a stage", "商机停滞"),
}

STATUSES = {
    "overdue": Msg("Overdue", "逾期"),
    "due_today": Msg("Due today", "今日到期"),
    "due_week": Msg("Due this week", "本周到期"),
    "ok": Msg("OK", "正常"),
    "no_date": Msg("No date", "无日期"),
    "missed": Msg("Missed", "已错过"),  # a greeting whose window closed before it went out
}
GREETINGS = ("birthday", "holiday")  # occasions with a window, which can be missed
