import json
import re

import pytest
from click.testing import CliRunner

from unitynlp.cli import cli

pytest.importorskip("matplotlib")
pytest.importorskip("pyarrow")

TABLES = ["documents", "term_hits", "term_counts", "term_frequency", "term_groups", "keyness", "facts",
          "cluster_assignments", "clusters", "cluster_coords", "summary"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "results"
    result = CliRunner().invoke(cli, ["analyze", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return out, result


def test_every_table_in_every_format(results):
    import openpyxl
    import pandas as pd

    out, _ = results
    for name in TABLES:
        assert (out / "csv" / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
        csv = pd.read_csv(out / "csv" / f"{name}.csv", encoding="utf-8-sig")
        parquet = pd.read_parquet(out / "parquet" / f"{name}.parquet")
        assert len(csv) == len(parquet)
    assert set(openpyxl.load_workbook(out / "unitynlp.xlsx", read_only=True).sheetnames) == set(TABLES)


def test_tables_hold_the_stages_results(results):
    import pandas as pd

    out, _ = results
    counts = pd.read_csv(out / "csv" / "term_counts.csv", encoding="utf-8-sig")
    assert counts.query("doc_id == 'seed-2' and term == '三个离不开'")["count"].item() == 3
    facts = pd.read_csv(out / "csv" / "facts.csv", encoding="utf-8-sig")
    assert {"738人", "壹萬伍仟元"} <= set(facts["text"])
    keyness = pd.read_csv(out / "csv" / "keyness.csv", encoding="utf-8-sig")
    assert {"level", "region"} <= set(keyness["by"])


def test_figures_and_self_contained_report(results):
    out, result = results
    figures = {p.name for p in (out / "figures").iterdir()}
    for stem in ["facts", "cluster_map", "term_rates_level", "keyness_level"]:
        assert {f"{stem}.png", f"{stem}.svg"} <= figures
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the report must not load anything"
    assert "三个离不开" in page
    assert "documents" in result.stdout and "facts" in result.stdout


def test_refuses_a_non_empty_folder_and_replaces_with_force(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    refused = CliRunner().invoke(cli, ["analyze", "-o", str(out)])
    assert refused.exit_code == 1 and "is not empty" in refused.stderr and "--force" in refused.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert CliRunner().invoke(cli, ["analyze", "-o", str(out), "--force"]).exit_code == 0
    assert (out / "report.html").exists() and not (out / "notes.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]  # no temporary folder left behind


def test_failure_leaves_no_output_and_the_rerun_resumes(tmp_path, monkeypatch):
    import unitynlp.analyze as module

    real = module.report_html
    monkeypatch.setattr(module, "report_html", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    out = tmp_path / "results"
    with pytest.raises(RuntimeError):
        CliRunner().invoke(cli, ["analyze", "-o", str(out), "--batch-chars", "1000"], catch_exceptions=False)
    assert not out.exists()
    assert json.loads((tmp_path / ".results.partial" / "manifest.json").read_text())["batches"] == 4
    monkeypatch.setattr(module, "report_html", real)
    again = CliRunner().invoke(cli, ["analyze", "-o", str(out), "--batch-chars", "1000"])
    assert again.exit_code == 0 and "resuming after batch 4" in again.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["results"]


def test_other_options_never_mix_with_an_unfinished_run(tmp_path):
    out = tmp_path / "results"
    work = tmp_path / ".results.partial"
    work.mkdir()
    (work / "manifest.json").write_text(json.dumps({"config": {"seed": 99}, "batches": 3}))
    result = CliRunner().invoke(cli, ["analyze", "-o", str(out)])
    assert result.exit_code == 0 and "other options is discarded" in result.stderr
    assert "resuming" not in result.stderr


def test_batches_give_the_tables_of_one_pass(tmp_path):
    one, many = tmp_path / "one", tmp_path / "many"
    assert CliRunner().invoke(cli, ["analyze", "-o", str(one), "--jobs", "1"]).exit_code == 0
    assert CliRunner().invoke(cli, ["analyze", "-o", str(many), "--batch-chars", "1000", "--jobs", "2"]).exit_code == 0
    for name in TABLES:
        assert (one / "csv" / f"{name}.csv").read_bytes() == (many / "csv" / f"{name}.csv").read_bytes(), name
