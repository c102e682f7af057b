"""Uploaded files are checked by what they contain, never by their name.

`check()` reads the whole structure of each kind, not only its first bytes, and bounds the work
(sizes, counts, time) so that a hostile file costs little to refuse:
- PDF: parsed by pypdf; no JavaScript, no action that starts a program or opens a local file, no
  attached files, no XFA form, no password needed to open it, a capped number of pages;
- DOCX/XLSX: the ZIP's central directory is read before anything is unpacked (total size, number
  of parts, compression ratio, part names), then every part is unpacked by streaming under a hard
  cap (headers can lie); `[Content_Types].xml` must declare the main part, which must be there
  and be Word or Excel content; no macros, no links to local or network files (XML through
  defusedxml);
- PNG/JPEG: read by Pillow, with a cap on the number of pixels;
- nothing hidden before or after a file's own end (polyglots);
then, when clamd is configured, a virus scan (`core.scan`), which fails closed.
Every refusal is a ValidationError with a translated message, shown by the form's file field.
"""

import hashlib
import posixpath
import re
import struct
import time
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

KINDS = {
    "pdf": ("application/pdf", ".pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "png": ("image/png", ".png"),
    "jpeg": ("image/jpeg", ".jpg"),
}
DOCUMENTS = ("pdf", "docx", "xlsx")
IMAGES = ("png", "jpeg")
# What a document's name may end in; a name that says one kind of a file that is another is
# refused (an Excel workbook named .docx). Images are served by their content type whatever
# their name, and a renamed photograph is common, so their names are not held against them.
NAMED = {".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx"}
LABELS = {"pdf": "PDF", "docx": "Word (.docx)", "xlsx": "Excel (.xlsx)"}

# Caps (settings override them; docs/operations.md → Uploads).
LIMITS = {
    "PORTAL_UPLOAD_MAX_UNZIPPED_MB": 100,  # an Office file's parts, all together, unpacked
    "PORTAL_UPLOAD_MAX_MEMBERS": 1000,  # parts of an Office file
    "PORTAL_UPLOAD_MAX_RATIO": 100,  # unpacked / packed size of one part of more than 1 MiB
    "PORTAL_UPLOAD_MAX_PDF_PAGES": 2000,
    "PORTAL_UPLOAD_MAX_PDF_OBJECTS": 500_000,  # objects (dictionaries, arrays) walked in a PDF
    "PORTAL_UPLOAD_MAX_PIXELS": 40_000_000,  # a 40-megapixel photograph; more is a bomb
    "PORTAL_UPLOAD_CHECK_SECONDS": 20,  # for the structure of one file
}
RATIO_FROM = 1024 * 1024  # small parts may compress well (repeated XML): only big ones count
MAX_XML_PART = 4 * 1024 * 1024  # content types and relationships are read whole
CHUNK = 64 * 1024

MESSAGES = {
    "bad": _("The file is damaged and cannot be read."),
    "bad_image": _("The image is damaged and cannot be read."),
    "empty": _("The file is empty."),
    "complex": _(
        "The file is too complex to be checked in reasonable time; save it again in a simpler form."
    ),
    "hidden": _(
        "The file has other data hidden before or after its own content (it may be two files in "
        "one), which is not accepted; save it again and upload the new copy."
    ),
    "html": _("The file contains web page code (HTML or script), which is not accepted."),
    "name": _(
        "The file's name ends in %(named)s but its content is %(actual)s; choose the right file "
        "or correct its name."
    ),
    "legacy": _(
        "Old Office formats (.doc, .xls) and password-protected Office files are not accepted; "
        "save it as .docx or .xlsx without a password."
    ),
    # PDF
    "js": _(
        "The PDF contains JavaScript, which is not accepted. Save or print it again as a plain "
        "PDF and upload that."
    ),
    "launch": _(
        "The PDF contains an action that starts a program or opens a file on the computer, "
        "which is not accepted."
    ),
    "embedded": _(
        "The PDF carries attached files, which are not accepted; upload each document on its own."
    ),
    "xfa": _("The PDF is an XFA form, which is not accepted; save it as an ordinary PDF."),
    "encrypted": _("The PDF is protected by a password; remove the password and upload it again."),
    "pages": _("The PDF has %(pages)d pages; the limit is %(limit)d."),
    # Office files
    "unzipped": _(
        "Once unpacked, the file takes more than %(limit)d MB, which is not accepted (it may be "
        "a “zip bomb”)."
    ),
    "members": _("The file is made of more than %(limit)d parts, which is not accepted."),
    "ratio": _(
        "A part of the file is compressed more than %(limit)d times, which is not accepted (it "
        "may be a “zip bomb”)."
    ),
    "path": _("The file contains a part with an unsafe name (“%(name)s”), which is not accepted."),
    "content_types": _(
        "The file is not a valid Word or Excel document: its list of content types "
        "([Content_Types].xml) is missing or damaged."
    ),
    "main": _(
        "The file is not a valid Word or Excel document: its main part is missing or is not Word "
        "or Excel content (for example a web page renamed .docx). Save it again from Word or "
        "Excel."
    ),
    "macros": _(
        "The file contains macros or ActiveX controls, which are not accepted; save it as .docx "
        "or .xlsx without macros."
    ),
    "external": _(
        "The file links to a file on a computer or a network, or to a template elsewhere, which "
        "is not accepted."
    ),
    # Images
    "pixels": _(
        "The image has more than %(limit)d megapixels, which is not accepted; reduce its size "
        "and upload it again."
    ),
    # Virus scan (core.scan)
    "virus": _("The virus scanner found “%(name)s” in this file; it is not accepted."),
    "scan": _(
        "The file cannot be checked for viruses right now; please try again in a few minutes."
    ),
}


def _refusal(code, **params):
    return ValidationError(MESSAGES[code], code=code, params=params or None)


def limit(name):
    return getattr(settings, name, LIMITS[name])


def max_upload_bytes():
    return getattr(settings, "PORTAL_MAX_UPLOAD_MB", 20) * 1024 * 1024


class _Budget:
    """Bounded work for one file: a deadline, and a number of steps for the PDF walk."""

    def __init__(self, steps=None):
        self.deadline = time.monotonic() + limit("PORTAL_UPLOAD_CHECK_SECONDS")
        self.steps = steps

    def spend(self):
        if self.steps is not None:
            self.steps -= 1
            if self.steps < 0:
                raise _refusal("complex")
        if time.monotonic() > self.deadline:
            raise _refusal("complex")


# -- what every kind shares: nothing hidden before or after the file ------------------------------

# What makes a browser (or a sniffing tool) take the start of a file for a web page.
_HTML = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|\?php)\b", re.I)
_EOCD = b"PK\x05\x06"  # the end record of a ZIP archive


def _head_and_tail(uploaded, size=66 * 1024):
    uploaded.seek(0)
    head = uploaded.read(1024)
    uploaded.seek(max(0, uploaded.size - size))
    tail = uploaded.read()
    uploaded.seek(0)
    return head, tail


def _zip_end(tail):
    """The offset in `tail` of a ZIP end record that closes the file exactly, or None."""
    start = len(tail)
    while (found := tail.rfind(_EOCD, 0, start)) >= 0:
        if found + 22 <= len(tail):
            (comment,) = struct.unpack("<H", tail[found + 20 : found + 22])
            if found + 22 + comment == len(tail):
                return found
        start = found
    return None


def _not_a_polyglot(uploaded, kind):
    """A file that is also something else (a ZIP read from its end, a page a browser would
    render, a PDF inside its first kilobyte) is refused."""
    head, tail = _head_and_tail(uploaded)
    if _HTML.search(head):
        raise _refusal("html")
    if kind != "pdf" and b"%PDF-" in head:
        raise _refusal("hidden")
    if kind != "ooxml" and _zip_end(tail) is not None:
        raise _refusal("hidden")
    return head, tail


# -- PDF ------------------------------------------------------------------------------------------

_ACTION_JS = {"/JavaScript", "/JS"}
# Actions that start a program, open another file, or bring data in from one.
_ACTION_LAUNCH = {"/Launch", "/GoToR", "/ImportData"}
_ACTION_EMBEDDED = {"/GoToE"}
_LOCAL_TARGET = re.compile(r"^\s*(?:file:|\\\\|[a-z]:[\\/])", re.I)


def _pdf_tail_is_clean(tail):
    end = tail.rfind(b"%%EOF")
    if end < 0:
        raise _refusal("bad")  # truncated: a PDF ends with %%EOF
    if tail[end + 5 :].strip(b" \t\r\n\x00\x0c"):
        raise _refusal("hidden")


def _pdf_value(value):
    from pypdf.generic import IndirectObject

    return value.get_object() if isinstance(value, IndirectObject) else value


def _pdf_dictionary(node):
    keys = set(node.keys())
    if keys & _ACTION_JS:
        raise _refusal("js")
    if "/XFA" in keys:
        raise _refusal("xfa")
    if keys & {"/EmbeddedFiles", "/EF", "/RichMedia", "/RichMediaContent"}:
        raise _refusal("embedded")
    action = _pdf_value(node.get("/S"))
    kind = _pdf_value(node.get("/Type"))
    subtype = _pdf_value(node.get("/Subtype"))
    if action in _ACTION_JS:
        raise _refusal("js")
    if action in _ACTION_LAUNCH:
        raise _refusal("launch")
    if action in _ACTION_EMBEDDED or kind == "/EmbeddedFile":
        raise _refusal("embedded")
    if subtype in {"/FileAttachment", "/RichMedia"}:
        raise _refusal("embedded")
    if action == "/URI":
        target = _pdf_value(node.get("/URI"))
        if isinstance(target, bytes):  # a string pypdf could not decode as text
            target = target.decode("latin-1")
        if target is not None and _LOCAL_TARGET.match(str(target)):
            raise _refusal("launch")


def _pdf_walk(reader, budget):
    """Visit every object the file holds, reachable from the trailer or only listed in its
    cross-reference table (a viewer that repairs a file may find those too)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack = [reader.trailer]
    for generation, numbers in reader.xref.items():
        stack.extend(IndirectObject(number, generation, reader) for number in numbers)
    stack.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    seen = set()
    while stack:
        budget.spend()
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):  # streams too: their dictionary, not their data
            _pdf_dictionary(node)
            stack.extend(dict.values(node))
        elif isinstance(node, ArrayObject):
            stack.extend(list.__iter__(node))


def _pdf(uploaded):
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

    _head, tail = _not_a_polyglot(uploaded, "pdf")
    _pdf_tail_is_clean(tail)
    budget = _Budget(steps=limit("PORTAL_UPLOAD_MAX_PDF_OBJECTS"))
    cap = limit("PORTAL_UPLOAD_MAX_PDF_PAGES")
    uploaded.seek(0)
    try:
        reader = PdfReader(uploaded, strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # an unknown or broken encryption: not opened
                opened = 0
            if not opened:
                raise _refusal("encrypted")
        root = _pdf_value(reader.trailer.get("/Root"))
        if not isinstance(root, DictionaryObject):
            raise _refusal("bad")
        pages = _pdf_value(root.get("/Pages"))
        declared = _pdf_value(pages.get("/Count")) if isinstance(pages, DictionaryObject) else 0
        if isinstance(declared, int) and declared > cap:
            raise _refusal("pages", pages=declared, limit=cap)
        _pdf_walk(reader, budget)
        count = len(reader.pages)
    except ValidationError:
        raise
    except Exception as error:  # pypdf raises many kinds on a malformed file
        raise _refusal("bad") from error
    finally:
        uploaded.seek(0)
    if count == 0:
        raise _refusal("bad")
    if count > cap:
        raise _refusal("pages", pages=count, limit=cap)
    return "pdf"


# -- Office Open XML (DOCX, XLSX) -----------------------------------------------------------------

_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
# The root element of each main part (transitional and strict namespaces).
_ROOTS = {
    "docx": {
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}document",
        "{http://purl.oclc.org/ooxml/wordprocessingml/main}document",
    },
    "xlsx": {
        "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}workbook",
        "{http://purl.oclc.org/ooxml/spreadsheetml/main}workbook",
    },
}
_MACRO_TYPES = re.compile(r"macroEnabled|vbaProject|vbaData|macrosheet|activeX", re.I)
_MACRO_PARTS = re.compile(r"(?:^|/)(?:vbaProject\.bin|vbaData\.xml|activeX/)", re.I)
# External relationships that fetch content when the document opens (template injection).
_FETCHED = ("/attachedTemplate", "/oleObject", "/frame", "/subDocument")
_UNSAFE_NAME = re.compile(r"^(?:[/\\]|[a-z]:)|\\|\x00|(?:^|/)\.\.(?:/|$)", re.I)


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _xml(archive, info):
    from defusedxml import ElementTree

    if info.file_size > MAX_XML_PART:
        raise _refusal("complex")
    return ElementTree.fromstring(archive.read(info), forbid_dtd=True)


def _zip_layout(uploaded, tail, infos):
    """The archive starts at the file's first byte and its end record is its last."""
    end = _zip_end(tail)
    if end is None or tail[end + 20 : end + 22] != b"\x00\x00":
        raise _refusal("hidden")  # data after the end record, or in its comment
    if not infos or min(info.header_offset for info in infos) != 0:
        raise _refusal("hidden")


def _zip_directory(infos):
    """What the central directory says, checked before anything is unpacked."""
    members, unzipped, ratio = (
        limit("PORTAL_UPLOAD_MAX_MEMBERS"),
        limit("PORTAL_UPLOAD_MAX_UNZIPPED_MB"),
        limit("PORTAL_UPLOAD_MAX_RATIO"),
    )
    if len(infos) > members:
        raise _refusal("members", limit=members)
    seen = set()
    for info in infos:
        if _UNSAFE_NAME.search(info.filename) or info.filename.lower() in seen:
            raise _refusal("path", name=info.filename[:80])
        seen.add(info.filename.lower())
        if info.flag_bits & 0x1:
            raise _refusal("legacy")  # an encrypted part
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refusal("bad")  # Office writes nothing else; bzip2 and lzma cost more CPU
    if sum(info.file_size for info in infos) > unzipped * 1024 * 1024:
        raise _refusal("unzipped", limit=unzipped)
    for info in infos:
        if info.file_size > RATIO_FROM and info.file_size > ratio * max(info.compress_size, 1):
            raise _refusal("ratio", limit=ratio)


def _zip_stream(archive, infos, budget):
    """Unpack every part without keeping it, counting the bytes actually produced: the sizes
    in the headers are checked against what comes out (zipfile also checks each CRC)."""
    cap = limit("PORTAL_UPLOAD_MAX_UNZIPPED_MB") * 1024 * 1024
    ratio = limit("PORTAL_UPLOAD_MAX_RATIO")
    total = 0
    for info in infos:
        produced = 0
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                produced += len(chunk)
                total += len(chunk)
                if total > cap:
                    raise _refusal("unzipped", limit=cap // (1024 * 1024))
                if produced > info.file_size:
                    raise _refusal("bad")
                if produced > RATIO_FROM and produced > ratio * max(info.compress_size, 1):
                    raise _refusal("ratio", limit=ratio)
                budget.spend()
        if produced != info.file_size:
            raise _refusal("bad")


def _ooxml_types(archive, by_name):
    info = by_name.get("[content_types].xml")
    if info is None:
        raise _refusal("content_types")
    try:
        types = _xml(archive, info)
    except ValidationError:
        raise
    except Exception as error:  # any XML error, or DTD/entity refused
        raise _refusal("content_types") from error
    if _local(types.tag) != "Types":
        raise _refusal("content_types")
    overrides = {}
    for entry in types:
        content_type = entry.get("ContentType", "")
        if _MACRO_TYPES.search(content_type):
            raise _refusal("macros")
        if _local(entry.tag) == "Override":
            overrides[entry.get("PartName", "").lstrip("/").lower()] = content_type
    mains = {
        (kind, part) for part, type_ in overrides.items() for kind, main in _MAIN.items()
        if type_ == main
    }  # fmt: skip
    if len(mains) != 1:
        raise _refusal("main")
    return mains.pop()


def _ooxml_relationships(archive, infos, main):
    """No link to a local or network file, none that fetches a template or an object when the
    document opens; the package's own relationships name the main part."""
    names_main = False
    for info in infos:
        if not info.filename.lower().endswith(".rels"):
            continue
        try:
            relationships = _xml(archive, info)
        except ValidationError:
            raise
        except Exception as error:
            raise _refusal("bad") from error
        package = info.filename.lower() == "_rels/.rels"
        for relationship in relationships:
            target = relationship.get("Target", "")
            type_ = relationship.get("Type", "")
            if relationship.get("TargetMode", "").lower() == "external":
                if _LOCAL_TARGET.match(target) or type_.endswith(_FETCHED):
                    raise _refusal("external")
            elif package and type_.endswith("/officeDocument"):
                names_main |= posixpath.normpath(target.lstrip("/")).lower() == main
    if not names_main:
        raise _refusal("main")


def _ooxml_main(archive, info, kind, budget):
    """The main part is well-formed XML whose root is a Word document or an Excel workbook (not
    a web page saved under the name): parsed by streaming, with no DTD or entity."""
    from defusedxml import ElementTree

    root = None
    try:
        with archive.open(info) as part:
            for event, element in ElementTree.iterparse(
                part, events=("start", "end"), forbid_dtd=True
            ):
                if root is None:
                    root = element.tag
                    if root not in _ROOTS[kind]:
                        break
                if event == "end":
                    element.clear()
                    budget.spend()
    except ValidationError:
        raise
    except Exception as error:  # not XML, or XML with a DTD or entities
        raise _refusal("main") from error
    if root not in _ROOTS[kind]:
        raise _refusal("main")


def _ooxml(uploaded):
    _head, tail = _not_a_polyglot(uploaded, "ooxml")
    budget = _Budget()
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            infos = archive.infolist()
            _zip_layout(uploaded, tail, infos)
            _zip_directory(infos)
            _zip_stream(archive, infos, budget)
            by_name = {info.filename.lower(): info for info in infos}
            if any(_MACRO_PARTS.search(name) for name in by_name):
                raise _refusal("macros")
            kind, main = _ooxml_types(archive, by_name)
            if main not in by_name:
                raise _refusal("main")
            _ooxml_relationships(archive, infos, main)
            _ooxml_main(archive, by_name[main], kind, budget)
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise _refusal("bad") from error
    finally:
        uploaded.seek(0)
    return kind


# -- images ---------------------------------------------------------------------------------------

_IMAGE_END = {"png": b"\x00\x00\x00\x00IEND\xaeB`\x82", "jpeg": b"\xff\xd9"}


def _image_metadata(data, kind):
    """The bytes of an image's comments and metadata (PNG chunks other than the pixels, JPEG
    segments before the scan), where a page or a script could hide: searching the compressed
    pixels too would find tags by chance in a large photograph."""
    found = []
    if kind == "png":
        position = 8
        while position + 8 <= len(data):
            (length,) = struct.unpack(">L", data[position : position + 4])
            chunk = data[position + 4 : position + 8]
            if chunk != b"IDAT":
                found.append(data[position + 8 : position + 8 + length])
            if chunk == b"IEND":
                break
            position += 12 + length
    else:
        position = 2
        while position + 4 <= len(data) and data[position] == 0xFF:
            marker = data[position + 1]
            if marker == 0xFF:  # fill byte
                position += 1
                continue
            if marker == 0xDA:  # start of scan: the compressed pixels follow
                break
            if marker in (0x01, *range(0xD0, 0xD9)):  # markers with no segment
                position += 2
                continue
            (length,) = struct.unpack(">H", data[position + 2 : position + 4])
            found.append(data[position + 4 : position + 2 + length])
            position += 2 + length
    return b"\n".join(found)


def _image(uploaded, kind):
    """The kind if Pillow reads a sound image of that format, within the pixel cap, that ends
    where its format ends; else a ValidationError."""
    from PIL import Image

    _head, tail = _not_a_polyglot(uploaded, kind)
    cap = limit("PORTAL_UPLOAD_MAX_PIXELS")
    uploaded.seek(0)
    if _HTML.search(_image_metadata(uploaded.read(), kind)):
        raise _refusal("html")
    uploaded.seek(0)
    try:
        with Image.open(uploaded) as image:  # reads the header only
            if image.width * image.height > cap:
                raise _refusal("pixels", limit=cap // 1_000_000)
            image.verify()
            format_ = image.format
    except Image.DecompressionBombError as error:  # Pillow's own cap, above ours
        raise _refusal("pixels", limit=cap // 1_000_000) from error
    except (OSError, SyntaxError, ValueError, struct.error) as error:
        raise _refusal("bad_image") from error
    finally:
        uploaded.seek(0)
    if format_ != kind.upper():
        raise _refusal("bad_image")
    if not tail.endswith(_IMAGE_END[kind]):
        raise _refusal("hidden")  # something after the image's end marker
    return kind


# -- the check ------------------------------------------------------------------------------------


def _family(head):
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "ooxml"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"  # .doc, .xls, or an encrypted .docx/.xlsx
    return None


def sniff(uploaded):
    """Return 'pdf', 'docx', 'xlsx', 'png' or 'jpeg' from the file's whole content, or raise
    ValidationError."""
    uploaded.seek(0)
    family = _family(uploaded.read(8))
    uploaded.seek(0)
    if family in IMAGES:
        return _image(uploaded, family)
    if family == "pdf":
        return _pdf(uploaded)
    if family == "ooxml":
        return _ooxml(uploaded)
    if family == "ole":
        raise _refusal("legacy")
    raise _refused(DOCUMENTS)


def _refused(accept):
    if accept == IMAGES:
        message = _("Only PNG and JPEG images are accepted; this file is neither.")
    else:
        message = _(
            "Only PDF, Word (.docx) and Excel (.xlsx) files are accepted; this file is none of them."
        )
    return ValidationError(message, code="type")


def _accepted(family, accept):
    kinds = {"ooxml": ("docx", "xlsx"), "ole": ("docx", "xlsx")}.get(family, (family,))
    return any(kind in accept for kind in kinds)


def _scan(uploaded):
    from core import scan

    try:
        scan.scan(uploaded)
    except scan.Infected as found:
        raise _refusal("virus", name=found.signature) from found
    except scan.Unavailable as error:
        raise _refusal("scan") from error


def check(uploaded, accept=DOCUMENTS):
    """Validate an upload of one of the `accept` kinds; returns (kind, content_type, extension,
    sha256)."""
    # A form's clean() and the workflow both check the same upload: do the work once. What is
    # remembered also lets CheckedFile.take() store only an upload that passed.
    remembered = getattr(uploaded, "portal_checked", None)
    if remembered is not None and remembered[0] == tuple(accept):
        return remembered[1]
    limit_ = max_upload_bytes()
    if uploaded.size > limit_:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)d MB.")
            % {"size": f"{uploaded.size / 1048576:.1f}", "limit": limit_ // 1048576},
            code="size",
        )
    if uploaded.size == 0:
        raise _refusal("empty")
    uploaded.seek(0)
    family = _family(uploaded.read(8))
    uploaded.seek(0)
    if not _accepted(family, accept):
        raise _refused(accept)
    kind = sniff(uploaded)
    if kind not in accept:
        raise _refused(accept)
    extension = posixpath.splitext((uploaded.name or "").lower())[1]
    if kind in LABELS and NAMED.get(extension, kind) != kind:
        raise _refusal("name", named=extension, actual=LABELS[kind])
    _scan(uploaded)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    content_type, extension = KINDS[kind]
    result = (kind, content_type, extension, digest.hexdigest())
    uploaded.portal_checked = (tuple(accept), result)
    return result


def download(stored, *, filename, content_type, as_attachment=True):
    """A stored upload served back under its original name and checked type, never sniffed."""
    from django.http import FileResponse

    response = FileResponse(
        stored.open("rb"),
        as_attachment=as_attachment,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
