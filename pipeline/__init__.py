"""Parallax: translate Vietnamese and Chinese news to English and align their claims.

This module holds only the package's contracts: its version and the error
hierarchy every stage raises. Nothing here imports a stage or touches a file.
"""

from __future__ import annotations

__all__ = [
    "BusyError",
    "ConfigError",
    "InputError",
    "MachineError",
    "ModelError",
    "PipelineError",
    "__version__",
]

__version__ = "0.1.0"


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose.

    The CLI catches it once, prints its message on one line and exits non-zero.
    """


class InputError(PipelineError):
    """Input that cannot be read or does not follow the expected schema."""


class ConfigError(PipelineError):
    """A configuration value, flag or config-file key that is not valid."""


class ModelError(PipelineError):
    """A translation or embedding model that cannot be found or loaded."""


class BusyError(PipelineError):
    """The run directory is in use by another process (it holds the directory's lock)."""


class MachineError(PipelineError, OSError):
    """The machine refused a write: disk full, read-only file system, no permission.

    Not the input's fault and not a bug: the message says what failed, where,
    and what to do. It is an ``OSError`` too, so code that handles OS errors
    keeps doing so. The CLI exits with status 3.
    """
