"""docs/benchmarks.md holds the figures of several commands (`make bench`, `make bench-demo`,
`make loadtest`) and hand-written notes. Each command owns one section, between a begin and an
end marker, and rewrites only that: a run never erases another command's figures or a note."""

from pathlib import Path

TITLE = "# Benchmarks\n"


def markers(name):
    return f"<!-- begin {name}: generated, edits inside are overwritten -->", f"<!-- end {name} -->"


def write_section(path, name, body):
    """Put `body` (Markdown) in the section `name` of the file at `path`, in place if the
    section is there, at the end otherwise."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else TITLE
    begin, end = markers(name)
    section = f"{begin}\n\n{body.strip()}\n\n{end}"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
