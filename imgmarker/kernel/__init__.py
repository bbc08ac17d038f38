"""The Qt-free core, one room per concern (see docs/architecture.md):

annotations (the data model), experiment, plugins (the host), imaging, display,
catalogs, campaign (the Session), store, output, agreement.

Nothing here imports PyQt6, the shell or the commands; scripts and tests use it without
a screen. Each room's ``__init__`` says what it owns and what it may import.
"""
