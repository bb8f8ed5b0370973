import re

import pytest

from unitynlp import regexcache

pytestmark = pytest.mark.skipif(regexcache._sre is None, reason="no regex internals: plain re.compile")

PATTERNS = [
    (r"(?P<n>[0-9]+)(?P<u>万元|亿元)?", 0),
    (r"^第([一二三四五六七八九十]+)篇", re.M),
    (r"(?s:.*)[。！？]", 0),
    (r"abc", re.I | re.X),
]


@pytest.fixture
def cache_file(tmp_path, monkeypatch):
    path = tmp_path / "regex.marshal"
    monkeypatch.setattr(regexcache, "_path", lambda: str(path))
    monkeypatch.setattr(regexcache, "_store", None)
    monkeypatch.setattr(regexcache, "_used", set())
    return path


def test_patterns_read_back_equal_those_of_re(cache_file):
    first = [regexcache.compile(p, f) for p, f in PATTERNS]
    regexcache._save()
    assert cache_file.exists()
    regexcache._store = None  # a new process: only the file
    again = [regexcache.compile(p, f) for p, f in PATTERNS]
    for (pattern, flags), a, b in zip(PATTERNS, first, again):
        fresh = re.compile(pattern, flags)
        assert a == fresh and b == fresh  # equal patterns have equal opcodes
        assert b.groupindex == fresh.groupindex and b.groups == fresh.groups and b.flags == fresh.flags
    m = again[0].search("新增投资3000亿元")
    assert (m.group("n"), m.group("u"), m.span()) == ("3000", "亿元", (4, 10))


def test_a_damaged_file_falls_back_to_re(cache_file):
    cache_file.write_bytes(b"not marshal data")
    assert regexcache.compile(*PATTERNS[0]) == re.compile(*PATTERNS[0])
    regexcache._save()  # and is replaced by a good one
    regexcache._store = None
    assert regexcache.compile(*PATTERNS[0]) == re.compile(*PATTERNS[0])


def test_an_unwritable_cache_is_ignored(cache_file, monkeypatch):
    monkeypatch.setattr(regexcache, "_path", lambda: str(cache_file / "missing" / "regex.marshal"))
    assert regexcache.compile(*PATTERNS[1]) == re.compile(*PATTERNS[1])
    regexcache._save()  # no error


def test_the_facts_command_fills_the_cache_with_patterns_equal_to_re(tmp_path, monkeypatch):
    import marshal
    import os
    import subprocess
    import sys

    env = {**os.environ, "UNITYNLP_CACHE": str(tmp_path)}
    command = [sys.executable, "-m", "unitynlp", "facts", "--format", "jsonl"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    files = list(tmp_path.glob("regex-*.marshal"))
    assert len(files) == 1
    stored = marshal.loads(files[0].read_bytes())
    second = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert second.stdout == first and second.stderr.count("\n") == 1  # the summary line only
    assert marshal.loads(files[0].read_bytes()).keys() == stored.keys()  # the same patterns in every process
    assert len(stored) >= 30
    monkeypatch.setattr(regexcache, "_path", lambda: str(files[0]))
    monkeypatch.setattr(regexcache, "_store", None)
    for pattern, flags in stored:
        assert regexcache.compile(pattern, flags) == re.compile(pattern, flags)


def test_bad_patterns_raise_as_re_does(cache_file):
    with pytest.raises(re.error):
        regexcache.compile("(unclosed")


def test_the_file_keeps_this_process_patterns_and_recent_others_within_its_size(cache_file, monkeypatch):
    import marshal

    old = [(f"(?:旧{i}|x{i})" * 50, 0) for i in range(6)]  # patterns of earlier processes, oldest last
    for pattern, flags in old:
        regexcache.compile(pattern, flags)
    regexcache._save()
    regexcache._store, regexcache._used = None, set()  # a new process, with patterns of its own
    for pattern, flags in PATTERNS:
        regexcache.compile(pattern, flags)
    monkeypatch.setattr(regexcache, "MAX_BYTES", sum(regexcache._size(k, regexcache._store[k]) for k in
                                                     PATTERNS + old[:2]) + 1)
    regexcache._save()
    kept = list(marshal.loads(cache_file.read_bytes()))
    assert set(kept[:len(PATTERNS)]) == set(PATTERNS)
    assert len(kept) == len(PATTERNS) + 2 and set(kept[len(PATTERNS):]) <= set(old)
