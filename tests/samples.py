"""Small files the tests upload: the least that passes the portal's content checks."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

# One blank A4 page, with a cross-reference table that points at each object (uploads are parsed).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>> endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000053 00000 n \n"
    b"0000000103 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n167\n%%EOF\n"
)


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
