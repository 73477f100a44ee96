"""Team mode inside every action: sync the workbook with the team store, and reserve messages team-wide.

`join_team` (when a store is set) gives each customer row its team id, pushes what this workbook knows
(contact-log rows, last-contact dates typed in the sheet, sends its journal holds), pulls the team's last
contact per customer (the follow-up rules take the latest of all), and brings back owners reassigned in the
store, writing an owner cell only when the team has not retyped it since the last sync. A store out of reach
is a note: the workbook works alone, and the next sync that reaches the store catches up (every push is keyed,
so nothing counts twice); but nothing is sent without the store: `TeamClaim` reserves each message in the store
before it is sent, and a send that cannot reach the store stops before the first message. During the batch the
store is asked again before each message (`TeamClaim.guard`, which also records the sends so far): a store that
stopped answering stops the batch there, as it could not record what went out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from xlcrm.actions.people import contact_log, own_last_contact, sent_mails
from xlcrm.actions.session import Session
from xlcrm.core.edits import Edit, SetCells
from xlcrm.core.errors import XlcrmError
from xlcrm.core.followups.followup_rules import MAIL_CONTACTS, mail_counts_as_contact
from xlcrm.core.i18n import Msg, counted
from xlcrm.core.mailmerge.sender_profile import MIN_DAYS, SenderProfile
from xlcrm.core.identity import customer_identities
from xlcrm.core.owners import canonical
from xlcrm.mail.batch import Connection, Mailer, Outcome, Outgoing
from xlcrm.mail.faults import RETRY_WAITS, Fatal
from xlcrm.mail.journal import Journal, journal_path
from xlcrm.store import MAILED, UNREACHABLE, Connect, Contact, Send, Store, Unreachable, mail_address
from xlcrm.store.local import workbook_id

SYNCED = Msg("Team store: {customers} customers synced; {contacts} contact(s) and {sends} send(s) added; "
             "{owners} owner(s) brought over from the team.",
             "团队数据库:已同步 {customers} 位客户;新增 {contacts} 条联系记录、{sends} 条发送记录;"
             "按团队更新 {owners} 位客户的负责人。")
ELSEWHERE = Msg("sent (or being sent) by another workbook of the team", "团队的另一个工作簿已发送(或正在发送)")
NOT_SENT = Msg("The team store cannot be reached ({why}). Nothing was sent: in team mode a message goes out only "
               "once the store has reserved it, so that no customer gets again what another workbook sent. Send again "
               "when the store is back; `xlcrm remind` without --send previews from the workbook alone.",
               "无法连接团队数据库({why})。未发送任何邮件:团队模式下,每封邮件须先在团队数据库中预留才会发出,"
               "以免客户重复收到其他工作簿已发送的邮件。请在数据库恢复后再发送;不加 --send 运行 `xlcrm remind` "
               "可只用工作簿预览。")
LOST_AFTER = Msg("The team store stopped answering during the sending ({why}); the messages sent were reserved first, "
                 "and the send journal brings them to the store on the next run that reaches it.",
                 "发送过程中团队数据库停止响应({why});已发送的邮件均已预先预留,发送日志会在下次能连接时同步到数据库。")
STORE_LOST = Msg("The team store stopped answering during the sending ({why}) after {messages} had gone out (each was "
                 "reserved first; the send journal brings them to the store on the next run that reaches it). The rest "
                 "were not sent, as the store could not record them: they stay reserved for this workbook and go out on "
                 "its next run once the store is back.",
                 "发送过程中团队数据库停止响应({why}),此前已发出 {sent} 封(均已预先预留,发送日志会在下次能连接时同步到数据库)。"
                 "其余邮件未发送,因为数据库无法记录它们:它们仍为本工作簿预留,数据库恢复后会在本工作簿下次运行时发送。")
REGULAR = MAIL_CONTACTS  # the regular mails: one per customer team-wide, whatever due day each workbook works out


@dataclass
class TeamView:
    """What the team store adds to a run; empty (and harmless) without a store or when it is out of reach."""

    store: Store | None = None
    workbook: str | None = None
    ids: dict[str, int] = field(default_factory=dict)  # customer key (records' key) -> team id
    contacted: pd.Series | None = None  # by record row: the team's last contact
    mailed: pd.Series | None = None  # by record row: the team's last follow-up mail that counts as a contact
    mail_counts: bool = False  # this workbook's setting: its follow-up mails are contacts for the whole team
    min_days: int = MIN_DAYS  # the sender profile's days between a customer's messages
    edits: list[Edit] = field(default_factory=list)  # owner cells brought over from the store
    notes: list[Msg] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def claim(self, now: dt.datetime) -> "TeamClaim | None":
        return TeamClaim(self, now) if self.store is not None else None

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


def join_team(session: Session, connect: Connect | None, now: dt.datetime,
              logged: list[dict] | None = None, keep_open: bool = False) -> TeamView:
    """Open the store the settings (or XLCRM_STORE) name and sync; logged: contacts this run adds to the log.
    keep_open: the store stays open for reservations (the caller closes it: view.close()): a send, which cannot go
    without the store; it stops (an XlcrmError) when the store is set but out of reach."""
    if connect is None:
        return TeamView()
    store = None
    try:
        store = connect(session.settings.text("store"))
        if store is None:
            return TeamView()
        view = _sync(session, store, now, logged or [])
    except Unreachable as error:
        if store is not None:
            store.close()
        if keep_open:
            raise XlcrmError(NOT_SENT(why=error.why)) from None
        return TeamView(notes=[UNREACHABLE(why=error.why)])
    if not keep_open:
        view.close()
    return view


def _sync(session: Session, store: Store, now: dt.datetime, logged: list[dict]) -> TeamView:
    book, records = session.book, session.customers.records
    workbook = workbook_id(book.folder, book.name)
    store.register(workbook, book.name, str(book.folder / book.name), now)
    ids = pd.Series(store.identify(customer_identities(records), now), index=records.index)
    by_key = dict(zip(records["key"], ids))
    view = TeamView(store, workbook, by_key, mail_counts=mail_counts_as_contact(session.settings),
                    min_days=_min_days(session))
    contacts = _log_contacts(session, workbook, by_key, logged) + _sheet_contacts(session, workbook, ids)
    if view.mail_counts:
        contacts += _mail_contacts(session, workbook, by_key)
    view.counts["contacts"] = store.add_contacts(workbook, contacts)
    view.counts["sends"] = store.record_sent(workbook, _journal_sends(session, by_key), now)
    last, mailed = store.last_contacts(sorted(set(ids))), store.last_contacts(sorted(set(ids)), MAILED)
    view.contacted = pd.to_datetime(ids.map(last), errors="coerce")
    view.mailed = pd.to_datetime(ids.map(mailed), errors="coerce")
    view.edits = _owner_edits(session, store, workbook, ids, now, view.counts)
    store.place(workbook, sorted({int(i) for i in ids}))  # after merge_owners, which reads what its cells said
    view.counts["customers"] = len(set(ids))
    view.notes.append(SYNCED(customers=view.counts["customers"], contacts=view.counts["contacts"],
                             sends=view.counts["sends"], owners=view.counts["owners"]))
    return view


def _min_days(session: Session) -> int:
    """The sender profile's min_days (remind checked the value before sending)."""
    days = session.settings.number("min_days", "sender")
    return int(days) if days is not None and days >= 0 and days == int(days) else MIN_DAYS


def _key(*parts) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:40]


def _log_contacts(session: Session, workbook: str, by_key: dict[str, int], logged: list[dict]) -> list[Contact]:
    """The contact-log rows, each known by its customer, day and place among that customer's rows of that day,
    so a row moved or a second sync adds nothing, and a contact logged now is the one the next sync reads."""
    log, _ = contact_log(session)
    rows = [(k, d, o) for k, d, o in zip(log["key"], log["date"], log.get("owner", [None] * len(log)))
            if pd.notna(d) and k in by_key]
    rows += [(e["key"], pd.Timestamp(e["date"]), e.get("owner")) for e in logged]
    seen: Counter = Counter()
    found = []
    for key, day, owner in rows:
        seen[(key, day)] += 1
        found.append(Contact(_key(workbook, "log", key, f"{day:%Y-%m-%d}", seen[(key, day)]), by_key[key],
                             day.date(), None, None, owner if isinstance(owner, str) else None, "log"))
    return found


def _sheet_contacts(session: Session, workbook: str, ids: pd.Series) -> list[Contact]:
    """A last-contact date typed in the customer sheet (or xlcrm's own column) is a contact on that day."""
    records = session.customers.records
    dates = [pd.to_datetime(records["last_contact"], errors="coerce")] if "last_contact" in records else []
    own = own_last_contact(session)
    if own is not None:
        dates.append(own)
    found = {}
    for column in dates:
        for row, day in column.dropna().items():
            contact = Contact(_key(workbook, "sheet", ids[row], f"{day:%Y-%m-%d}"), int(ids[row]), day.date(),
                              None, None, None, "sheet")
            found[contact.source_key] = contact
    return list(found.values())


def _mail_contacts(session: Session, workbook: str, by_key: dict[str, int]) -> list[Contact]:
    """The follow-up and first-answer mails that went out (journal and send log): each a contact, keyed by its
    message, so the one TeamClaim.settle recorded at the send is not added again."""
    sent = sent_mails(session)
    if not len(sent):
        return []
    sent = sent[sent["occasion"].isin(MAIL_CONTACTS) & sent["customer_key"].isin(by_key)]
    days = pd.to_datetime(sent["at"], errors="coerce")
    return [mail_contact(workbook, str(key), by_key[customer], day.date())
            for key, customer, day in zip(sent["msg_key"], sent["customer_key"], days) if pd.notna(day)]


def mail_contact(workbook: str, msg_key: str, customer: int, day: dt.date) -> Contact:
    return Contact(_key(workbook, "mail", msg_key), customer, day, "email", None, None, "mail")


def _journal_sends(session: Session, by_key: dict[str, int]) -> list[Send]:
    """What this workbook's journal says went out (or may have): the local journal is authoritative for its own."""
    journal = Journal(journal_path(session.book.folder, session.book.name))
    went = []
    for entry in journal.latest().values():
        customer = by_key.get(str(entry.get("customer_key")))
        if entry.get("state") in ("sent", "sending") and not entry.get("test") and customer is not None:
            went.append(Send(team_key(customer, entry.get("occasion"), entry.get("due")), customer,
                             address=mail_address(entry.get("to"))))
    return went


def team_key(customer: int, occasion: object, due: object) -> str:
    """One message team-wide: a customer, an occasion, a due day (whatever template each workbook picks). A regular
    mail is also held by another workbook's recent one with another due day (TeamClaim: Send.since)."""
    return f"{customer}|{occasion}|{pd.Timestamp(due):%Y-%m-%d}" if due else f"{customer}|{occasion}|-"


def _owner_edits(session: Session, store: Store, workbook: str, ids: pd.Series, now: dt.datetime,
                 counts: dict[str, int]) -> list[Edit]:
    counts["owners"] = 0
    source = session.customers
    if "owner" not in source.mapping.columns:
        return []
    owners = canonical(source.records["owner"])
    first = ~ids.duplicated()
    cells = {int(ids[row]): owners[row] for row in ids.index[first]}
    shown = store.merge_owners(workbook, cells, now)
    column = source.mapping.columns["owner"] + 1
    edits: list[Edit] = []
    for row in ids.index:
        new = shown.get(int(ids[row]))
        if new and new != owners[row]:
            edits.append(SetCells(source.table.sheet, int(row), column, [[new]]))
    counts["owners"] = len(edits)
    return edits


class TeamClaim:
    """The reservation of each message in the store before it is sent: a message goes out once team-wide."""

    def __init__(self, view: TeamView, now: dt.datetime):
        assert view.store is not None and view.workbook is not None  # TeamView.claim makes one only with a store
        self.view, self.now = view, now
        self.store, self.workbook = view.store, view.workbook
        self.keys: dict[str, str] = {}  # journal key -> team key
        self.payloads: dict[bytes, str] = {}  # message -> team key, for the guard
        self.unrecorded: list[str] = []  # team keys sent since the store was last asked
        self.sent = 0  # messages that went out through the guard
        self.lost: str | None = None  # why the store stopped answering during the batch
        self.contacts: dict[str, int] = {}  # journal key -> customer, for a sent mail that counts as a contact

    def taken_elsewhere(self, items: dict[int, Outgoing]) -> list[int]:
        """The plan's indexes another workbook holds; the rest are reserved for this one."""
        wanted = {}
        for index, item in items.items():
            customer = self.view.ids.get(str(item.record.get("customer_key")))
            if customer is not None and not item.test:
                occasion, due = item.record.get("occasion"), item.record.get("due")
                self.keys[item.key] = team_key(customer, occasion, due)
                self.payloads[item.payload] = self.keys[item.key]
                wanted[index] = Send(self.keys[item.key], customer, *self._spacing(occasion, due),
                                     address=mail_address(item.record.get("to")))
                if self.view.mail_counts and occasion in MAIL_CONTACTS:
                    self.contacts[item.key] = customer
        try:
            held = self.store.reserve(self.workbook, list(wanted.values()), self.now)
        except Unreachable as error:  # the store went away since the sync: nothing goes out unreserved
            self.keys.clear()
            self.view.close()
            raise XlcrmError(NOT_SENT(why=error.why)) from None
        return [index for index, send in wanted.items() if send.team_key not in held]

    def _spacing(self, occasion: object, due: object) -> tuple[dt.date | None, tuple[str, ...]]:
        """A regular mail is held by another workbook's regular mail to the customer sent (or reserved) within the
        last min_days, or on or after this one's due day (it answered the same gap): one follow-up per customer
        and cadence team-wide, though two workbooks work out different due days. Care occasions keep their key."""
        if occasion not in REGULAR:
            return None, ()
        since = self.now.date() - dt.timedelta(days=max(self.view.min_days, 1) - 1)
        if due and pd.notna(pd.Timestamp(due)):
            since = min(since, pd.Timestamp(due).date())
        return since, REGULAR

    def settle(self, outcomes: dict[str, Outcome]) -> None:
        """Sent (or perhaps sent) stays taken; anything else is released for whoever runs next."""
        went = [self.keys[k] for k, o in outcomes.items() if k in self.keys and o.state in ("sent", "in_flight")]
        back = [self.keys[k] for k, o in outcomes.items() if k in self.keys and o.state not in ("sent", "in_flight")]
        mailed = [mail_contact(self.workbook, k, self.contacts[k], self.now.date())
                  for k, o in outcomes.items() if k in self.contacts and o.state == "sent"]
        try:
            self.store.settle(self.workbook, went, back, self.now)
            if mailed:  # the other workbooks' due dates move on their next run, not on this one's next sync
                self.store.add_contacts(self.workbook, mailed)
        except Unreachable as error:  # the next sync records what the journal says went out
            if self.lost is None:  # else the batch's stop (STORE_LOST) said it already
                self.view.notes.append(LOST_AFTER(why=error.why))

    def guard(self, mailer: Mailer) -> Mailer:
        """The mailer the batch sends through: before each message the store is asked (recording the sends so far);
        a store that stopped answering stops the batch there, that message and the rest unsent (a Fatal fault)."""
        return _Guarded(mailer, self)

    def before_send(self) -> None:
        if self.lost is None:
            try:
                self.store.mark_sent(self.workbook, self.unrecorded, self.now)
                self.unrecorded = []
                return
            except Unreachable as error:
                self.lost = error.why
        raise Fatal(STORE_LOST(why=self.lost, sent=self.sent, messages=counted(self.sent, "message", "messages")))

    def went(self, payload: bytes) -> None:
        self.sent += 1
        if payload in self.payloads:
            self.unrecorded.append(self.payloads[payload])


class _Guarded:
    """A mailer whose connections ask the store (TeamClaim.before_send) before each message."""

    def __init__(self, mailer: Mailer, claim: TeamClaim):
        self.mailer, self.claim = mailer, claim
        self.backoff: tuple[float, ...] = tuple(getattr(mailer, "backoff", RETRY_WAITS))  # the batch waits as for it

    def connect(self, profile: SenderProfile) -> Connection:
        return _GuardedConnection(self.mailer.connect(profile), self.claim)


class _GuardedConnection:
    def __init__(self, connection: Connection, claim: TeamClaim):
        self.connection, self.claim = connection, claim

    def send(self, sender: str, recipients: tuple[str, ...], payload: bytes) -> object:
        self.claim.before_send()
        delivery = self.connection.send(sender, recipients, payload)
        self.claim.went(payload)
        return delivery

    def close(self) -> None:
        self.connection.close()
