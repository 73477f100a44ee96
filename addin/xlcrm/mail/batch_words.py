"""What a batch says beyond one message's outcome: an error nobody foresaw, a copy refused, a stop by Ctrl-C."""

from __future__ import annotations

from typing import Any

from xlcrm.core.i18n import Msg, counted

UNEXPECTED = Msg("An unexpected error stopped the sending ({error}). {advice} Every message is in the send journal: "
                 "what was sent is not sent again; a message marked 'in flight' needs checking in the Sent folder.",
                 "发送时出现意外错误({error}),已停止。{advice}每封邮件都记在发送日志中:已发出的不会重发;"
                 "标为“状态不明”的请在“已发送”中核对。")
ADVICE = {MemoryError: Msg("The computer ran out of memory: close other programs and run again.",
                           "电脑内存不足:请关闭其他程序后再运行。"),
          OSError: Msg("Check that the disk beside the workbook has free space and that the folder can be written, "
                       "then run again.", "请检查工作簿所在磁盘是否有剩余空间、文件夹是否可写,然后再运行。")}
OTHER_ADVICE = Msg("Run again; if it comes back, run with XLCRM_DEBUG=1 and send the output to whoever looks after "
                   "xlcrm.", "请再运行一次;如果仍然出现,请加 XLCRM_DEBUG=1 运行,并把输出发给负责 xlcrm 的人。")
COPY_REFUSED = Msg("sent; only the copy to {address} was refused by the server ({code} {text})",
                   "已发送;仅抄送 {address} 被服务器拒收({code} {text})")
COPY_PUT_OFF = Msg("sent; only the copy to {address} was put off by the server ({code} {text}) and not sent",
                   "已发送;仅抄送 {address} 被服务器暂缓({code} {text}),抄送未发出")
INTERRUPTED = Msg("Sending stopped by Ctrl-C: {messages} of this batch had gone out before the stop (in the send "
                  "journal {journal}); {in_doubt} Run the send again: it writes them into the send log, sends the rest, "
                  "and sends nothing twice.",
                  "发送已被 Ctrl-C 中断:中断前本批已发出 {sent} 封(记在发送日志 {journal} 中);{in_doubt}请再次运行发送:"
                  "它会把这些写入发送记录并发送其余邮件,不会重复发送。")
IN_DOUBT = Msg("{messages} of unknown outcome (in the server's hands at the stop): check your Sent folder or the "
               "customer; the next run lists them with what to write in the send log.",
               "{count} 封状态不明(中断时正在交给服务器):请查看“已发送”或向客户核实;下次运行会列出,并说明在发送记录中"
               "填写什么。")
NONE_IN_DOUBT = Msg("none is of unknown outcome.", "没有状态不明的邮件。")


def interrupted(sent: int, in_doubt: int, journal: str) -> Msg:
    """Ctrl-C during a batch: how many went out, how many are in doubt."""
    doubt = IN_DOUBT(count=in_doubt, messages=counted(in_doubt, "message", "messages")) if in_doubt else NONE_IN_DOUBT
    return INTERRUPTED(sent=sent, messages=counted(sent, "message", "messages"), journal=journal, in_doubt=doubt)


def unexpected(error: BaseException) -> Msg:
    """An error no rule foresaw, in words a user can act on (a full disk, no memory)."""
    advice = next((words for kind, words in ADVICE.items() if isinstance(error, kind)), OTHER_ADVICE)
    described = getattr(error, "strerror", None) or str(error) or ""
    return UNEXPECTED(error=f"{type(error).__name__}: {described}".rstrip(": "), advice=advice)


def copies_note(delivery: Any) -> Msg | None:
    refused = getattr(delivery, "refused_copies", None) or []
    if not refused:
        return None
    address, code, text = refused[0]
    return (COPY_PUT_OFF if 400 <= int(code) < 500 else COPY_REFUSED)(address=address, code=code, text=text)
