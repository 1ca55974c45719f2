"""No source file grows past the size a reader can hold in mind (tests excepted)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE_FOLDERS = ('basicsr_lfdn', 'datasets_prep', 'scripts')
MAX_LINES = 400


def test_no_source_file_is_over_400_lines():
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding='utf-8').splitlines())
        for folder in SOURCE_FOLDERS
        for path in (ROOT / folder).rglob('*.py')
    }
    assert {path: lines for path, lines in sizes.items() if lines > MAX_LINES} == {}
