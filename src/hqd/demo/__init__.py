"""The demonstration database: five sample plans, a province's org tree, 2022Q1–2025Q2 data."""

from .build import TODAY, DemoResult, build_demo, reset

__all__ = ["TODAY", "DemoResult", "build_demo", "reset"]
