"""Synthetic department exports for demos and benchmarks (layouts of FORMATS.md).

Use :func:`generate`::

    from hub.demo import generate
    summary = generate(Path("out"), households=20_000, seed=7)
"""

from hub.demo.generator import GenerationSummary, generate

__all__ = ["GenerationSummary", "generate"]
