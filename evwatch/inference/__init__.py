"""Inference: a callable from a batch of named input tensors to named output tensors.

`TritonModel` is the real one; model tests use in-process torch, unit tests a fake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from numpy.typing import NDArray

BatchInfer = Callable[[Mapping[str, NDArray[Any]]], dict[str, NDArray[Any]]]
