"""Sub-commands of ``imgmarker``, one module each; every module has ``register(sub)``."""

#: Module names under ``imgmarker.commands``, in the order ``--help`` lists them.
COMMANDS = ("validate", "init", "plugins", "schema", "export")
