"""Dialogs of the main window: settings, controls, about."""
