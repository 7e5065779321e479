"""The entry point: :func:`generate` writes 18 exports plus ``truth/`` for N households."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from hub.datasets.anomalies import build_anomalies, finish_near_misses
from hub.datasets.assemble import FileResult, assemble
from hub.datasets.asset_maker import AssetMaker, build_assets, build_housing
from hub.datasets.departments import education, health, local, minzheng, people, property, work
from hub.datasets.economy import assign_people
from hub.datasets.medical import build_settlements, ensure_rigid
from hub.datasets.planted import plant
from hub.datasets.population import build_population
from hub.datasets.records import SPECS, Rec
from hub.datasets.staff import select_staff
from hub.datasets.truth import write_truth
from hub.datasets.truth_eligibility import evaluate_all, kinship
from hub.datasets.welfare import apply_medical_aid, build_welfare
from hub.datasets.world import World

Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class GenerationSummary:
    """What :func:`generate` produced."""

    out_dir: Path
    households: int
    persons: int
    seed: int
    as_of: date
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    bad_rows: int = 0
    duplicate_lines: int = 0
    anomalies: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)


def _rng(seed: int, phase: str) -> random.Random:
    return random.Random(f"{seed}:{phase}")


def build_world(households: int, seed: int, as_of: date) -> tuple[World, dict[str, dict]]:
    """Create the world (people, facts, 民政 records) and the planted specs."""
    world = World(as_of)
    build_population(_rng(seed, "population"), world, households)
    kin = kinship(world)
    assign_people(_rng(seed, "economy"), world)
    maker = AssetMaker(_rng(seed, "assets"), world)
    build_assets(maker.rng, world, maker)
    build_housing(maker.rng, world, maker)
    build_settlements(_rng(seed, "medical"), world)
    pre = evaluate_all(world, kin)
    missing = {}
    for hh in world.households:
        e = pre[hh.uid]
        if (hh.target == "刚性支出困难" and e["category"] == "不符合" and not e["issues"]
                and float(e["pc"]) >= 1.5 * hh.std):
            missing[hh.uid] = 12 * (float(e["total"]) - hh.std * int(e["n"])) - float(e["rigid"])
    ensure_rigid(_rng(seed, "rigid"), world, missing)
    pre = evaluate_all(world, kin)
    specs = plant(_rng(seed, "planted"), world, pre, maker)
    kin_staff = [s["kin_of_staff"]["staff"] for s in specs.values() if "kin_of_staff" in s]
    select_staff(_rng(seed, "staff"), world, kin_staff, set(specs))
    kin = kinship(world)
    world.eligibility = evaluate_all(world, kin)
    build_welfare(_rng(seed, "welfare"), world, world.eligibility, specs)
    apply_medical_aid(world)
    final = evaluate_all(world, kin)
    for uid, e in final.items():
        if e["category"] != world.eligibility[uid]["category"]:
            raise RuntimeError(f"category of {uid} changed after medical aid")
    world.eligibility = final
    return world, specs


def generate(out_dir: Path, households: int, seed: int, as_of: date = date(2026, 10, 31),
             progress: Progress | None = None) -> GenerationSummary:
    """Generate a synthetic set of the 18 department exports with its ground truth.

    The layouts follow ``FORMATS.md`` exactly (headers, encodings, line endings, quoting,
    identifier formats, noise of section 6, bad rows of section 5, truth files of section 7,
    rules and planted cases of section 8). The output is deterministic: the same
    ``households``, ``seed`` and ``as_of`` give byte-identical files.

    Args:
        out_dir: directory to write into (created if missing); the truth goes to
            ``out_dir / "truth"``.
        households: number of true households (户) to create.
        seed: random seed.
        as_of: snapshot date of the exports.
        progress: optional callback ``progress(stage, done, total)`` called once per
            generation stage and once per written file.

    Returns:
        A :class:`GenerationSummary` with row counts, bad rows, duplicates, planted cases
        and the category mix.

    Raises:
        ValueError: if ``households`` is smaller than 1.
    """
    if households < 1:
        raise ValueError("households must be at least 1")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stages = len(SPECS) + 2

    def tick(stage: str, done: int) -> None:
        if progress is not None:
            progress(stage, done, stages)

    tick("world", 0)
    world, specs = build_world(households, seed, as_of)
    tick("records", 1)
    rng = _rng(seed, "records")
    refs: dict[object, Rec] = {}
    monitored = local.choose_monitored(rng, world)
    supported = {hh.uid for hh in monitored}
    supported |= {f.applicant.hh.uid for f in world.families if f.category != "已退出"}
    builders = {
        "gongan_hukou.csv": lambda: people.build_gongan(rng, world),
        "minzheng_aid.csv": lambda: minzheng.build_aid(rng, world),
        "minzheng_members.csv": lambda: minzheng.build_members(rng, world),
        "yibao_medical.csv": lambda: health.build_yibao(rng, world),
        "jiaoyu_students.csv": lambda: education.build_jiaoyu(rng, world, supported),
        "zhujian_housing.csv": lambda: local.build_zhujian(rng, world),
        "renshe_employment.csv": lambda: work.build_renshe(rng, world),
        "canlian_disability.csv": lambda: health.build_canlian(rng, world),
        "budongchan_realestate.csv": lambda: property.build_budongchan(rng, world),
        "cheguan_vehicles.csv": lambda: property.build_cheguan(rng, world),
        "shichang_business.csv": lambda: property.build_shichang(rng, world),
        "shuiwu_income.csv": lambda: work.build_shuiwu(rng, world),
        "gongjijin_fund.csv": lambda: work.build_gongjijin(rng, world),
        "yinhang_deposits.csv": lambda: property.build_yinhang(rng, world),
        "yingji_disaster.csv": lambda: local.build_yingji(rng, world),
        "xiangcun_monitoring.csv": lambda: local.build_xiangcun(rng, world, monitored),
        "staff_roster.csv": lambda: people.build_staff(rng, world, refs),
        "standards.csv": lambda: people.build_standards(world),
    }
    results: list[FileResult] = []
    for i, spec in enumerate(SPECS, start=2):
        rows = builders[spec.name]()
        results.append(assemble(_rng(seed, spec.name), spec, rows, out_dir, as_of.year))
        for row in rows:  # keep only the 记录编号 that the truth files refer to
            row.values, row.slots, row.logs = row.values[:1], [], []
        del rows
        tick(spec.name, i)
    build_anomalies(world, specs)
    finish_near_misses(world)
    write_truth(out_dir / "truth", world, results, refs)
    return GenerationSummary(
        out_dir, households, len(world.persons), seed, as_of,
        round(time.perf_counter() - started, 3),
        {r.spec.name: r.data_lines for r in results},
        sum(len(r.bad) for r in results),
        sum(len(lines) - 1 for r in results for _, lines in r.duplicates),
        dict(Counter(a.type for a in world.anomalies)),
        dict(Counter(str(e["category"]) for e in world.eligibility.values())),
    )
