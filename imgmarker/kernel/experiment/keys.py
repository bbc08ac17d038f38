"""Key sequences as written in experiments ("Ctrl+Shift+Z"), compared without regard to
case or modifier order so that conflicting bindings are caught before the GUI starts."""

from __future__ import annotations

MODIFIERS = ("ctrl", "shift", "alt", "meta")
_ALIASES = {"control": "ctrl", "cmd": "meta", "command": "meta", "option": "alt", "del": "delete",
            "esc": "escape", "return": "enter", "backspace": "backspace", "space": "space"}


def split_key(key: str) -> list[str]:
    """Split on '+' while letting '+' itself be the key ("+", "Ctrl++")."""
    key = key.strip()
    if key == "+":
        return ["+"]
    if key.endswith("++"):
        return key[:-2].split("+") + ["+"]
    return key.split("+")


def normalize_key(key: str) -> str:
    parts = [p.strip().lower() for p in split_key(key)]
    parts = [_ALIASES.get(p, p) for p in parts if p]
    mods = sorted({p for p in parts if p in MODIFIERS}, key=MODIFIERS.index)
    rest = [p for p in parts if p not in MODIFIERS]
    return "+".join(mods + rest)
