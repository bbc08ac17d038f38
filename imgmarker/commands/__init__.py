"""Sub-commands of ``imgmarker``, one module each; every module has ``register(sub)``."""

#: Module names under ``imgmarker.commands``, in the order ``--help`` lists them.
COMMANDS = ("run", "demo", "validate", "init", "plugins", "schema", "info", "render", "export", "aggregate",
            "agreement", "campaign", "dataset", "migrate")
