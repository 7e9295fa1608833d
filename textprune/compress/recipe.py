"""Recipes: a list of steps (post-process, reduce, quantize) fitted together.

A recipe is written as comma-separated step labels, for example
``abtt:3,pca:150,scale,itq`` or ``center,int4``:

=================  ===========================================================
label              step
=================  ===========================================================
``center``         subtract the mean
``abtt[:D]``       remove the mean and the top D principal directions
``normalize``      scale rows to unit length
``pca:N``          PCA to N dimensions
``svd:N``          truncated SVD to N dimensions
``ppa:N``          ``abtt``, ``pca:N``, ``abtt`` (PPA-PCA-PPA)
``scale``          divide each column by its standard deviation
``none``           store float32 (the default quantizer)
``float16``        store float16
``int8`` ... ``int1``  uniform scalar codes with 8, 4, 2 or 1 bits per value
``pq:M``           product quantization, M bytes per vector
``opq:M``          product quantization after a learned rotation
``binary``         sign bits of the columns
``itq``            sign bits after an ITQ rotation
=================  ===========================================================

At most one quantizer may appear, and only last; without one the recipe stores
float32.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from textprune.compress.base import STEPS, Step
from textprune.compress.postprocess import Center, Normalize, RemoveTopComponents
from textprune.compress.quantize import (
    BinaryQuantizer,
    Float16Codes,
    Float32Codes,
    ProductQuantizer,
    Quantizer,
    ScalarQuantizer,
)
from textprune.compress.reduce import PCA, ScaleComponents, TruncatedSVD, ppa_steps

logger = logging.getLogger(__name__)

QUANTIZE_CHOICES = (
    "none",
    "float16",
    "int8",
    "int4",
    "int2",
    "int1",
    "pq:M",
    "opq:M",
    "binary",
    "itq",
)


def _label_error(label: str, reason: str) -> ValueError:
    return ValueError(f"invalid recipe step {label!r}: {reason}")


def _int_argument(label: str, argument: str | None, required: bool) -> int | None:
    if argument is None or argument == "":
        if required:
            raise _label_error(label, "give a number after the colon, such as pca:100")
        return None
    try:
        value = int(argument)
    except ValueError as exc:
        raise _label_error(label, f"{argument!r} is not a whole number") from exc
    if value < 1:
        raise _label_error(label, f"the number must be at least 1, got {value}")
    return value


def parse_step(label: str, seed: int = 0) -> list[Step]:
    """Return the step(s) that one recipe label stands for."""
    name, _, argument = label.strip().partition(":")
    name = name.lower()
    arg = argument if _ else None
    simple: dict[str, type[Step]] = {
        "center": Center,
        "normalize": Normalize,
        "scale": ScaleComponents,
        "none": Float32Codes,
        "float32": Float32Codes,
        "float16": Float16Codes,
    }
    if name in simple:
        if arg is not None:
            raise _label_error(label, f"{name} takes no argument")
        return [simple[name]()]
    if name == "abtt":
        return [RemoveTopComponents(_int_argument(label, arg, False))]
    if name in ("pca", "svd", "ppa"):
        count = _int_argument(label, arg, True)
        assert count is not None
        if name == "pca":
            return [PCA(count)]
        if name == "svd":
            return [TruncatedSVD(count)]
        return ppa_steps(count)
    if name in ("int8", "int4", "int2", "int1"):
        if arg is not None:
            raise _label_error(label, f"{name} takes no argument")
        return [ScalarQuantizer(bits=int(name[3:]), seed=seed)]
    if name in ("pq", "opq"):
        count = _int_argument(label, arg, True)
        assert count is not None
        rotation = "opq" if name == "opq" else "none"
        return [ProductQuantizer(count, rotation=rotation, seed=seed)]
    if name in ("binary", "itq"):
        if arg is not None:
            raise _label_error(label, f"{name} takes no argument")
        return [BinaryQuantizer(rotation="itq" if name == "itq" else "none", seed=seed)]
    raise _label_error(
        label,
        "unknown step; use center, abtt[:D], normalize, pca:N, svd:N, ppa:N, scale, "
        "or a quantizer (" + ", ".join(QUANTIZE_CHOICES) + ")",
    )


class Recipe:
    """A fitted or unfitted sequence of steps ending in a quantizer.

    Parameters
    ----------
    steps : list of Step
        Transform steps, optionally followed by one :class:`Quantizer`; float32
        storage is added when no quantizer is given.

    Notes
    -----
    The *output space* is the space after the transform steps: decoded vectors,
    ``similarity`` and ``most_similar`` of the container live there, because
    post-processing is meant to change the geometry and is not undone.
    """

    def __init__(self, steps: list[Step]) -> None:
        steps = list(steps)
        if not steps or not isinstance(steps[-1], Quantizer):
            steps.append(Float32Codes())
        for position, step in enumerate(steps[:-1]):
            if isinstance(step, Quantizer):
                raise ValueError(
                    f"the quantizer {step.describe()!r} is step {position + 1} of "
                    f"{len(steps)}; a quantizer must be the last step"
                )
        self.steps = steps

    @classmethod
    def parse(cls, spec: str, seed: int = 0) -> Recipe:
        """Build a recipe from comma-separated labels such as ``abtt,pca:150,itq``."""
        steps: list[Step] = []
        for label in spec.split(","):
            if label.strip():
                steps.extend(parse_step(label, seed))
        return cls(steps)

    @property
    def transforms(self) -> list[Step]:
        """The steps before the quantizer."""
        return self.steps[:-1]

    @property
    def quantizer(self) -> Quantizer:
        """The last step."""
        return self.steps[-1]  # type: ignore[return-value]

    def describe(self) -> str:
        """Return the recipe as comma-separated labels."""
        return ",".join(step.describe() for step in self.steps)

    def output_dims(self, input_dims: int) -> int:
        """Return the width of the output space for ``input_dims`` input columns."""
        dims = input_dims
        for step in self.transforms:
            dims = step.output_dims(dims)
        return dims

    def code_nbytes(self, input_dims: int) -> int:
        """Return the stored bytes per vector for ``input_dims`` input columns."""
        return self.quantizer.code_nbytes(self.output_dims(input_dims))

    def fit(self, X: np.ndarray) -> Recipe:
        """Fit every step on the output of the steps before it; return self."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """Fit every step and return the codes of ``X``."""
        data = np.asarray(X, dtype=np.float32)
        for step in self.steps:
            data = step.fit_transform(data)
            logger.debug("Fitted %s, output shape %s", step.describe(), data.shape)
        return data

    def to_output_space(self, X: np.ndarray) -> np.ndarray:
        """Apply the transform steps only (no quantization)."""
        data = np.asarray(X, dtype=np.float32)
        for step in self.transforms:
            data = step.transform(data)
        return data

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Return the stored codes of the rows of ``X``."""
        return self.quantizer.transform(self.to_output_space(X))

    def inverse_transform(self, codes: np.ndarray, space: str = "output") -> np.ndarray:
        """Decode ``codes`` into the output space, or back to the input space.

        ``space="input"`` also inverts the transform steps; what they removed
        (top components, lengths, dropped dimensions) is not restored.
        """
        data = self.quantizer.inverse_transform(codes)
        if space == "input":
            for step in reversed(self.transforms):
                data = step.inverse_transform(data)
        elif space != "output":
            raise ValueError(f"space must be 'output' or 'input', got {space!r}")
        return data

    def to_metadata(self) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
        """Split the fitted recipe into JSON step records and named arrays."""
        records: list[dict[str, Any]] = []
        arrays: dict[str, np.ndarray] = {}
        for position, step in enumerate(self.steps):
            state: dict[str, Any] = {}
            array_names: dict[str, str] = {}
            for key, value in sorted(step.get_state().items()):
                if isinstance(value, np.ndarray):
                    array_name = f"step{position}.{key}"
                    arrays[array_name] = value
                    array_names[key] = array_name
                else:
                    state[key] = value
            records.append(
                {
                    "step": step.name,
                    "label": step.describe(),
                    "params": step.get_params(),
                    "state": state,
                    "arrays": array_names,
                }
            )
        return records, arrays

    @classmethod
    def from_metadata(
        cls, records: list[dict[str, Any]], arrays: dict[str, np.ndarray]
    ) -> Recipe:
        """Rebuild a fitted recipe from :meth:`to_metadata` output.

        Raises
        ------
        ValueError
            If a step name is unknown or a record is malformed.
        """
        steps: list[Step] = []
        for record in records:
            try:
                step_class = STEPS[record["step"]]
                state = dict(record["state"])
                for key, array_name in record["arrays"].items():
                    state[key] = arrays[array_name]
                steps.append(step_class.from_state(record["params"], state))
            except (KeyError, TypeError) as exc:
                raise ValueError(f"invalid recipe record {record!r}: {exc}") from exc
        return cls(steps)
