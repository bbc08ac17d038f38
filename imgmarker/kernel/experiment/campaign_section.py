"""The ``campaign:`` section: checks the schema cannot make, and its dataclass.

A shared experiment file travels by e-mail and sits in repositories, so a password in
the server's connection string is refused outright: each annotator's password belongs
in their own libpq password or service file.
"""

from __future__ import annotations

import re
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

from imgmarker.kernel.experiment.config import CampaignPlan

PASSWORD_KEYS = {"password"}
_PAIR = re.compile(r"\s*([A-Za-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|\S*)")


def conninfo_keys(conninfo: str) -> dict[str, str]:
    """The keywords of a libpq connection string or URI (values unquoted), leniently:
    enough to find a password wherever libpq would read one."""
    text = conninfo.strip()
    if re.match(r"^postgres(ql)?://", text):
        parts = urlsplit(text)
        keys = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
        netloc = parts.netloc.rpartition("@")
        if netloc[1]:
            user, colon, password = netloc[0].partition(":")
            keys.setdefault("user", user)
            if colon:
                keys["password"] = password
        return keys
    keys = {}
    for match in _PAIR.finditer(text):
        value = match.group(2)
        if value.startswith("'"):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        keys[match.group(1).lower()] = value
    return keys


def check_campaign(section: Any, add: Callable[..., None]) -> None:
    """Report problems of the ``campaign`` mapping through ``add(path, message, ...)``."""
    if not isinstance(section, dict):
        return
    server = section.get("server")
    if isinstance(server, str) and PASSWORD_KEYS & set(conninfo_keys(server)):
        schema_saw_it = re.search(r"[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd]\s*=|://[^/@]*:[^/@]*@", server)
        if not schema_saw_it:
            add(["campaign", "server"], "holds a password; keep passwords in each annotator's password file "
                                        "or service file (docs/team.md)")
    looks = section.get("looks_per_image", 2)
    retirement = section.get("retirement")
    agree = retirement.get("agree") if isinstance(retirement, dict) else None
    if isinstance(agree, int) and isinstance(looks, int) and not isinstance(agree, bool) and agree > looks:
        add(["campaign", "retirement", "agree"],
            f"{agree} agreeing looks can never happen with looks_per_image {looks}")


def build_campaign(raw: dict[str, Any] | None) -> CampaignPlan | None:
    """The plan of a validated section with its defaults applied."""
    if raw is None:
        return None
    return CampaignPlan(
        server=raw["server"], schema=raw["schema"], mode=raw["mode"], looks_per_image=int(raw["looks_per_image"]),
        gold=tuple(raw["gold"]), retire_agree=raw["retirement"].get("agree"), batch_size=int(raw["batch_size"]),
        lease_seconds=float(raw["lease_minutes"]) * 60.0, sync_seconds=float(raw["sync_seconds"]))
