from __future__ import annotations

from pathlib import Path

from hub.linkage import LinkageSettings, link
from hub.linkage.presets import febrl_settings, hub_settings


def test_json_round_trip(tmp_path: Path) -> None:
    settings = hub_settings()
    settings.comparisons[0].m = [0.1, 0.2, 0.7]
    text = settings.to_json(tmp_path / "s.json")
    again = LinkageSettings.from_json(tmp_path / "s.json")
    assert again == settings
    assert LinkageSettings.from_json(text) == settings
    assert LinkageSettings.from_json(febrl_settings().to_json()) == febrl_settings()


def test_weights_are_zero_until_trained() -> None:
    spec = hub_settings().comparison("sex")
    spec.m, spec.u = None, None
    assert spec.weights() == [0.0, 0.0]


def test_public_surface() -> None:
    import hub.linkage as package

    assert sorted(package.__all__) == ["LinkageSettings", "link"]
    assert callable(link)
