"""Synthetic department exports for demos, tests and benchmarks (layouts of FORMATS.md).

A data set, kept apart from the product's domain packages as recordlinkage keeps
``recordlinkage/datasets`` and Splink its ``datasets``: nothing in the product imports it
except the ``hub demo`` command. The generator decides its ground truth with its own
oracle (:mod:`hub.datasets.truth_eligibility`), never with ``hub.rules``.
:mod:`hub.datasets.demo_tour` prepares a loaded set for a visitor of ``hub demo``.

Use :func:`generate`::

    from hub.datasets import generate
    summary = generate(Path("out"), households=20_000, seed=7)
"""

from hub.datasets.generator import GenerationSummary, generate

__all__ = ["GenerationSummary", "generate"]
