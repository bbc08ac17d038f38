"""The PyQt6 user interface: turns kernel state into pixels and input into actions."""
