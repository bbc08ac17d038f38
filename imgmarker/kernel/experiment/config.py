"""The experiment as frozen dataclasses: what everything downstream reads.

Every default is already filled in when these are built, so no caller needs to know
what the schema would have said about a missing key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

#: Okabe-Ito colours (safe for the common colour-vision deficiencies), then white and grey.
DEFAULT_PALETTE = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
    "#D55E00", "#CC79A7", "#FFFFFF", "#999999",
)
DEFAULT_GROUP_COUNT = 9
DEFAULT_CATEGORY_COUNT = 5


def frozen_map(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class ImageSource:
    directory: Path | None
    patterns: tuple[str, ...] | None
    recursive: bool
    list_file: Path | None
    max_pixels: int


#: How an experiment may order its images (``order.mode``).
ORDER_MODES = ("sorted", "shuffled", "per-annotator")


@dataclass(frozen=True)
class Order:
    mode: str
    seed: int


@dataclass(frozen=True)
class Group:
    name: str
    key: str | None
    color: str
    shape: str
    size: float
    size_unit: str
    max: int | None


@dataclass(frozen=True)
class Category:
    name: str
    key: str | None


@dataclass(frozen=True)
class Categories:
    exclusive: bool
    items: tuple[Category, ...]

    def names(self) -> list[str]:
        return [c.name for c in self.items]


@dataclass(frozen=True)
class Display:
    interval: str
    interval_params: Mapping[str, Any]
    stretch: str
    stretch_params: Mapping[str, Any]
    colormap: str
    blur: float
    frame: int


@dataclass(frozen=True)
class CatalogConfig:
    path: Path
    name: str
    color: str
    shape: str
    size: float
    size_unit: str
    label_column: str
    visible: bool
    frame: str | None = None  # the sky frame of its RA/Dec columns; None: what the file says, else ICRS


@dataclass(frozen=True)
class Consistency:
    fraction: float
    seed: int
    min_gap: int


@dataclass(frozen=True)
class Output:
    directory: Path
    writers: tuple[str, ...]
    user: str | None


@dataclass(frozen=True)
class Controls:
    left_click_group: str
    middle_click: str
    keys: Mapping[str, str]


@dataclass(frozen=True)
class PluginsConfig:
    modules: tuple[str, ...]
    sections: Mapping[str, Mapping[str, Any]]


#: How a team campaign hands out images (``campaign.mode``).
CAMPAIGN_MODES = ("everyone", "shared")


@dataclass(frozen=True)
class CampaignPlan:
    """The ``campaign:`` section: where the team's server is and how images are shared."""

    server: str  # libpq conninfo or URI, without a password
    schema: str
    mode: str
    looks_per_image: int
    gold: tuple[str, ...]
    retire_agree: int | None
    batch_size: int
    lease_seconds: float
    sync_seconds: float


@dataclass(frozen=True)
class Experiment:
    path: Path | None
    base_dir: Path
    schema_version: int
    name: str
    instructions: str
    images: ImageSource
    order: Order
    groups: tuple[Group, ...]
    categories: Categories
    display: Display
    catalogs: tuple[CatalogConfig, ...]
    consistency: Consistency
    output: Output
    controls: Controls
    plugins: PluginsConfig
    campaign: CampaignPlan | None = None

    def group(self, name: str) -> Group:
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(f"no group named {name!r}; groups: {', '.join(g.name for g in self.groups)}")

    @property
    def group_names(self) -> list[str]:
        return [g.name for g in self.groups]

    @property
    def left_click_group(self) -> Group:
        return self.group(self.controls.left_click_group)
