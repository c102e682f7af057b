"""E-mail written by templates: `<name>_subject.txt` and `<name>_body.txt`, in the active language."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def send_templated(name, context, to, attachments=()):
    """Render `name`'s subject and body with `context` and send them to `to`."""
    subject = render_to_string(f"{name}_subject.txt", context).strip()
    body = render_to_string(f"{name}_body.txt", context)
    message = EmailMessage(subject, body, to=list(to))
    for attachment in attachments:
        message.attach(*attachment)
    message.send()
