"""Types of the command line's arguments: each turns a string into a checked value, or raises
argparse's error (exit code 2 with the option named). The messages are French, for researchers."""

from __future__ import annotations

import argparse
import math

from archive.facet_registry import ALL_OF_BY_OPTION


def all_of_facets(value: str) -> list[str]:
    """`--all-of actor,theme`: the facet names behind the options the registry allows."""
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [name for name in names if name not in ALL_OF_BY_OPTION]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"pas une facette dont on peut exiger toutes les valeurs à la fois : {value!r} "
            f"(au choix : {', '.join(ALL_OF_BY_OPTION)})"
        )
    return [ALL_OF_BY_OPTION[name] for name in names]


def integer(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"pas un nombre entier : {value!r}") from None


def positive(value: str) -> int:
    n = integer(value)
    if n < 1:
        raise argparse.ArgumentTypeError("doit valoir au moins 1")
    return n


def positive_up_to(upper: float):
    """A number above 0 and at most `upper` (-1, inf and nan gave an empty index, an
    OverflowError or no limit at all)."""

    def parse(value: str) -> float:
        x = finite(value)
        if not 0 < x <= upper:
            raise argparse.ArgumentTypeError(f"doit être supérieur à 0 et au plus {upper:.10g}, pas {value!r}")
        return x

    return parse


def finite_non_negative(value: str) -> float:
    x = finite(value)
    if x < 0:
        raise argparse.ArgumentTypeError(f"doit valoir 0 ou plus, pas {value!r}")
    return x


def finite(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"pas un nombre : {value!r}") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"doit être un nombre fini, pas {value!r}")
    return x


def non_negative(value: str) -> int:
    n = integer(value)
    if n < 0:
        raise argparse.ArgumentTypeError("doit valoir 0 ou plus")
    return n


def port(value: str) -> int:
    n = integer(value)
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError("doit être compris entre 0 et 65535")
    return n
