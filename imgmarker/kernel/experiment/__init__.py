"""The experiment file: YAML with line numbers, the JSON Schema, semantic checks, the
frozen dataclasses everything downstream reads, key bindings, an annotator's overrides,
and the starters (``init``, image folders, the demo campaign).

May import: plugins (which modules an experiment names), output (atomic file writes).
"""

from imgmarker.lazy import exports

__all__, __getattr__, __dir__ = exports(__name__, {
    "config": ["Experiment", "ORDER_MODES"],
    "loader": ["check_experiment", "load_experiment", "plugin_modules"],
    "problems": ["ExperimentError", "Problem"],
    "schema": ["base_schema", "compose_schema"],
    "bindings": ["key_bindings"],
    "overrides": ["OverrideError", "apply_overrides"],
    "demo": ["write_demo"],
    "folder": ["write_folder_experiment"],
    "starter": ["SCHEMA_FILE", "STARTER_EXPERIMENT"],
})
