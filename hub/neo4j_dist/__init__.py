"""Obtain the Neo4j Community distribution from Maven Central, once, into a cache.

The machine reaches Maven Central but not neo4j.com, so the server's jars are resolved
with Maven from the small ``pom.xml`` beside this module and copied into
``<cache>/neo4j-<version>/lib``. A marker file written last makes the cache all-or-nothing:
an interrupted download is redone, a complete one is never downloaded again.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from hub.errors import Neo4jFetchError

logger = logging.getLogger(__name__)

_MARKER = "COMPLETE"


def distribution_dir(cache_dir: Path, version: str) -> Path:
    """Return the cache directory of one Neo4j version (it may not exist yet)."""
    return cache_dir / f"neo4j-{version}"


def is_cached(cache_dir: Path, version: str) -> bool:
    """True when a complete copy of that version's jars is in the cache."""
    return (distribution_dir(cache_dir, version) / _MARKER).is_file()


def fetch_distribution(cache_dir: Path, version: str, *, timeout: float = 1800) -> Path:
    """Make sure the jars of Neo4j ``version`` are cached and return their ``lib`` folder.

    Args:
        cache_dir: the hub's cache directory (HUB_CACHE_DIR).
        version: a Neo4j 5.26.x version published on Maven Central.
        timeout: seconds Maven may take before we give up.

    Returns:
        The folder holding every jar of the server's class path.

    Raises:
        Neo4jFetchError: Maven is missing, fails, or produced no server jar.
    """
    target = distribution_dir(cache_dir, version)
    if is_cached(cache_dir, version):
        return target / "lib"
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jFetchError("Maven ('mvn') is not on PATH; it is needed to fetch Neo4j once")
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".neo4j-{version}-", dir=cache_dir))
    try:
        pom = staging / "pom.xml"
        pom.write_bytes(resources.files(__package__).joinpath("pom.xml").read_bytes())
        command = [
            mvn, "-q", "-B", "-f", str(pom), f"-Dneo4j.version={version}",
            "dependency:copy-dependencies", f"-DoutputDirectory={staging / 'lib'}",
        ]
        logger.info("fetching Neo4j %s from Maven Central", version)
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise Neo4jFetchError(f"Maven did not finish within {timeout:.0f} s") from exc
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-15:])
            raise Neo4jFetchError(f"Maven failed to fetch Neo4j {version}:\n{tail}")
        if not any((staging / "lib").glob(f"neo4j-{version}.jar")):
            raise Neo4jFetchError(f"Maven finished but neo4j-{version}.jar is missing")
        (staging / _MARKER).write_text(version)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target / "lib"
