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
