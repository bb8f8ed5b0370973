import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The compiled seed file, decoded (12,952 characters, traditional script)."""
    return (DATA / "seed_reports.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def gold_documents() -> list[dict]:
    with (DATA / "gold" / "documents.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
