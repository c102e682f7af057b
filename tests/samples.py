"""Small files the tests upload: the least that passes the portal's content checks."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="hop-dong.pdf", content=PDF):
    return SimpleUploadedFile(name, content, "application/pdf")


def png(name="anh.png", size=(64, 48)):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 60)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


def copies(record, n, field="title", prefix="Bản sao"):
    """Save `n` copies of a record under new titles: more data, to show a page's query count
    does not grow with it."""
    model = type(record)
    for number in range(n):
        copy = model.objects.get(pk=record.pk)
        copy.pk = None
        setattr(copy, field, f"{prefix} {number}")
        copy.save()
