"""Spark's settings for a run, and the command line's checks before any Spark starts."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hub.cli import app
from hub.linkage.spark import SparkOptions


def test_spark_scratch_and_event_log_live_under_the_hubs_directory(tmp_path: Path) -> None:
    conf = SparkOptions(master="local[2]", work_dir=tmp_path, event_log=True).spark_conf()
    assert conf["spark.master"] == "local[2]"
    assert conf["spark.local.dir"] == str(tmp_path / "local")
    assert conf["spark.eventLog.dir"] == (tmp_path / "events").as_uri()
    assert conf["spark.io.encryption.enabled"] == "true"
    assert conf["spark.ui.enabled"] == "false"


def test_extra_conf_wins(tmp_path: Path) -> None:
    conf = SparkOptions(work_dir=tmp_path, conf={"spark.io.encryption.enabled": "false",
                                                 "spark.executor.cores": "1"}).spark_conf()
    assert conf["spark.io.encryption.enabled"] == "false"
    assert conf["spark.executor.cores"] == "1"


def test_master_without_the_spark_engine_is_refused() -> None:
    result = CliRunner().invoke(app, ["link", "run", "--master", "spark://127.0.0.1:7077"],
                                env={"HUB_LINK_ENGINE": "inprocess"})
    assert result.exit_code == 2
    assert "--master needs --engine spark" in result.output


def test_an_unknown_engine_is_named() -> None:
    result = CliRunner().invoke(app, ["link", "run", "--engine", "flink"])
    assert result.exit_code == 1
    assert "--engine must be one of inprocess, spark" in result.output
