"""The Qt-free core: experiment, plugins, images, session, store.

Nothing in this package may import PyQt6; scripts and tests use it without a screen.
"""
