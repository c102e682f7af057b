"""A benchmark rewrites its own section of docs/benchmarks.md and nothing else."""

from benchmarks.report import markers, write_section


def test_a_section_is_replaced_in_place_and_the_rest_kept(tmp_path):
    path = tmp_path / "benchmarks.md"
    write_section(path, "proposals", "## Proposals\n\nfirst run")
    path.write_text(path.read_text() + "\n## A note by hand\n\nkeep me\n")
    write_section(path, "loadtest", "## Load\n\n500 submits")
    write_section(path, "proposals", "## Proposals\n\nsecond run")
    text = path.read_text()
    assert "first run" not in text
    assert text.index("second run") < text.index("keep me") < text.index("500 submits")
    assert text.startswith("# Benchmarks\n")
    for name in ("proposals", "loadtest"):
        begin, end = markers(name)
        assert text.count(begin) == 1 and text.count(end) == 1


def test_a_missing_file_is_started_with_the_title(tmp_path):
    path = tmp_path / "new.md"
    write_section(path, "demo", "figures")
    assert path.read_text().startswith("# Benchmarks\n") and "figures" in path.read_text()
