"""Mail: render templates (sandboxed Jinja2), build MIME messages, keep the outbox and the send journal,
and send through SMTP (yagmail). The only package that imports yagmail, smtplib or jinja2."""
