"""Reading one annotator's Image Marker 1.2 save folder into plain records.

What 1.2 writes (``imgmarker/io.py`` and ``imgmarker/config.py`` of Image Marker):

- ``<user>_config.txt``: ``key = value`` lines (``image_dir``, ``groups`` (9 names),
  ``categories`` (5), ``group_max`` (9 of an integer or ``None``), ``randomize_order``,
  ``left_click_group``); the last line has no newline.
- ``<user>_marks.csv``: ``date,image,group,label,x,y,RA,DEC``; label ``None`` is the
  group name; on a consistency repeat ``DUPLICATE`` or ``<label>, DUPLICATE``; a seen
  image without marks has a row with group ``None`` and ``nan`` coordinates.
- ``<user>_images.csv``: ``date,image,RA,DEC,categories,comment`` per seen image, in
  1.2's list order; a repeat is a second row for the image; categories joined by ``+``
  (``None`` for none); comment ``None`` for none.
- ``<user>_favorites.csv``: favourite images, with an ``image`` column (``|`` between
  fields in the versions that wrote it fixed-width, ``,`` otherwise; empty or absent
  when there are none).
- ``imports/*``: catalogs the annotator imported.

Older versions wrote ``.txt`` files with ``|`` between fields and no label column;
those are read too. A bad row is reported as ``file:line: problem`` and skipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from imgmarker.kernel.legacy.textfiles import Table, decode_text, fallback_encoding, read_table

GROUP_COUNT = 9
CATEGORY_COUNT = 5
DUPLICATE = "DUPLICATE"
_SUFFIXES = ("_config.txt", "_marks.csv", "_images.csv", "_marks.txt", "_images.txt")


class LegacyError(Exception):
    """The folder cannot be imported at all (one line saying why)."""


@dataclass(frozen=True)
class LegacyConfig:
    image_dir: str | None
    groups: tuple[str, ...]
    categories: tuple[str, ...]
    group_max: tuple[int | None, ...]
    randomize_order: bool
    left_click_group: int  # 1..9


DEFAULT_CONFIG = LegacyConfig(None, tuple(str(i) for i in range(1, 10)), tuple(str(i) for i in range(1, 6)),
                              (None,) * GROUP_COUNT, False, 1)


@dataclass(frozen=True)
class LegacyMark:
    where: str  # file:line
    date: str
    image: str
    group: str
    label: str  # what the mark says: the group name when 1.2 wrote None or DUPLICATE
    pass_index: int  # 2 on a consistency repeat
    x: float
    y: float
    ra: float | None  # as 1.2 computed them (one pixel off in y)
    dec: float | None


@dataclass(frozen=True)
class LegacyImage:
    where: str
    date: str
    image: str
    pass_index: int
    categories: tuple[str, ...]
    comment: str


@dataclass
class SaveFolder:
    path: Path
    user: str
    config: LegacyConfig
    marks: list[LegacyMark] = field(default_factory=list)
    placeholders: list[tuple[str, int, str]] = field(default_factory=list)  # (image, pass, date) seen, no marks
    images: list[LegacyImage] = field(default_factory=list)
    favorites: set[str] = field(default_factory=set)
    catalogs: list[Path] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # file name -> encoding read with
    encoding: str = "utf-8"  # the one encoding of the folder's files
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def find_users(folder: Path) -> list[str]:
    """Annotators with 1.2 files in ``folder``."""
    users = set()
    for path in folder.iterdir():
        for suffix in _SUFFIXES:
            if path.is_file() and path.name.endswith(suffix) and len(path.name) > len(suffix):
                users.add(path.name[: -len(suffix)])
    return sorted(users)


def _number(text: str) -> float | None:
    """A float, NaN for 1.2's ``nan``; None when it is not a number at all."""
    try:
        return float(text)
    except ValueError:
        return None


def _names(value: str, count: int, default: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    names = [n.strip() for n in value.split(",")]
    # A config file 1.2 created but never updated lists its internal "None" slot first.
    if len(names) == count + 1 and names[0] == "None":
        names = names[1:]
    if len(names) == count:
        return tuple(names), None
    fixed = (names + list(default[len(names):]))[:count]
    return tuple(fixed), f"{len(names)} names where Image Marker has {count}; using {', '.join(fixed)}"


def parse_config(text: str, name: str, problems: list[str]) -> LegacyConfig:
    values = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep:
            problems.append(f"{name}:{number}: not a 'key = value' line; ignored")
            continue
        values[key.strip()] = (number, value.strip())
    config = DEFAULT_CONFIG

    def where(key: str) -> str:
        return f"{name}:{values[key][0]}"

    image_dir = values.get("image_dir", (0, "None"))[1]
    groups, categories = config.groups, config.categories
    if "groups" in values:
        groups, problem = _names(values["groups"][1], GROUP_COUNT, config.groups)
        if problem:
            problems.append(f"{where('groups')}: groups: {problem}")
    if "categories" in values:
        categories, problem = _names(values["categories"][1], CATEGORY_COUNT, config.categories)
        if problem:
            problems.append(f"{where('categories')}: categories: {problem}")
    limits: list[int | None] = list(config.group_max)
    if "group_max" in values:
        parts = [p.strip() for p in values["group_max"][1].split(",")]
        for i, part in enumerate(parts[:GROUP_COUNT]):
            if part in ("None", "", "0"):
                limits[i] = None
            elif part.isdigit():
                limits[i] = int(part)
            else:
                problems.append(f"{where('group_max')}: group_max: {part!r} is neither a whole number nor None; "
                                f"group {groups[i]} gets no limit")
        if len(parts) != GROUP_COUNT:
            problems.append(f"{where('group_max')}: group_max: {len(parts)} values where Image Marker has "
                            f"{GROUP_COUNT}; the others get no limit")
    left = 1
    if "left_click_group" in values:
        text_value = values["left_click_group"][1]
        if text_value.isdigit() and 1 <= int(text_value) <= GROUP_COUNT:
            left = int(text_value)
        else:
            problems.append(f"{where('left_click_group')}: left_click_group: {text_value!r} is not a group "
                            f"number 1..{GROUP_COUNT}; using 1")
    return LegacyConfig(None if image_dir in ("None", "") else image_dir, groups, categories, tuple(limits),
                        values.get("randomize_order", (0, "False"))[1] == "True", left)


def _categories(text: str, delimiter: str, known: tuple[str, ...]) -> tuple[str, ...]:
    if text in ("", "None"):
        return ()
    if text in known:
        return (text,)
    joiner = "," if delimiter == "|" else "+"  # the fixed-width files joined them with commas
    return tuple(part.strip() for part in text.split(joiner) if part.strip() and part.strip() != "None")


def _label(raw: str | None, group: str) -> tuple[str, int]:
    if raw is None or raw == "None":
        return group, 1
    if raw == DUPLICATE:
        return group, 2
    if raw.endswith(", " + DUPLICATE):
        return raw[: -len(", " + DUPLICATE)], 2
    return raw, 1


def read_marks(table: Table, name: str, folder: SaveFolder) -> None:
    needed = {"image", "group", "x", "y"}
    if table.rows and not needed <= set(table.columns):
        folder.problems.append(f"{name}:1: the header names no {', '.join(sorted(needed - set(table.columns)))} "
                               "column; no marks read from this file")
        return
    groups = folder.config.groups
    first_pass_rows: set[str] = set()
    for row in table.rows:
        where = f"{name}:{row.line}"
        v = row.values
        image, group = v["image"], v["group"]
        x, y = _number(v["x"]), _number(v["y"])
        if x is None or y is None:
            bad = v["x"] if x is None else v["y"]
            folder.problems.append(f"{where}: {'x' if x is None else 'y'} {bad!r} is not a number; row skipped")
            continue
        if not image or image == "None":
            folder.problems.append(f"{where}: the mark names no image; row skipped")
            continue
        if math.isnan(x) and math.isnan(y):
            if group != "None":
                folder.problems.append(f"{where}: group {group!r} without a position; row skipped")
                continue
            pass_index = 2 if image in first_pass_rows else 1
            first_pass_rows.add(image)
            folder.placeholders.append((image, pass_index, v.get("date", "")))
            continue
        if not (math.isfinite(x) and math.isfinite(y)):
            folder.problems.append(f"{where}: position ({v['x']}, {v['y']}) is not finite; row skipped")
            continue
        if group not in groups:
            folder.problems.append(f"{where}: group {group!r} is not one of the groups ({', '.join(groups)}); "
                                   "row skipped")
            continue
        label, pass_index = _label(v.get("label"), group)
        if pass_index == 1:
            first_pass_rows.add(image)
        ra, dec = _number(v.get("ra", "nan")), _number(v.get("dec", "nan"))
        ra = ra if ra is not None and math.isfinite(ra) else None
        dec = dec if dec is not None and math.isfinite(dec) else None
        folder.marks.append(LegacyMark(where, v.get("date", ""), image, group, label, pass_index, x, y,
                                       ra if dec is not None else None, dec if ra is not None else None))


def read_images(table: Table, name: str, folder: SaveFolder) -> None:
    if table.rows and "image" not in table.columns:
        folder.problems.append(f"{name}:1: the header names no image column; no images read from this file")
        return
    known = folder.config.categories
    count: dict[str, int] = {}
    unknown: dict[str, str] = {}
    for row in table.rows:
        where = f"{name}:{row.line}"
        v = row.values
        image = v["image"]
        if not image or image == "None":
            folder.problems.append(f"{where}: no image name; row skipped")
            continue
        count[image] = count.get(image, 0) + 1
        if count[image] > 2:
            folder.problems.append(f"{where}: a third row for {image} (Image Marker repeats an image once); "
                                   "row skipped")
            continue
        categories = _categories(v.get("categories", ""), table.delimiter, known)
        for category in categories:
            if category not in known:
                unknown.setdefault(category, where)
        comment = v.get("comment", "")
        folder.images.append(LegacyImage(where, v.get("date", ""), image, count[image], categories,
                                         "" if comment == "None" else comment))
    for category, where in unknown.items():
        folder.notes.append(f"{where}: category {category!r} is not among the categories of the configuration; "
                            "kept on its images")


def read_favorites(table: Table, name: str, folder: SaveFolder) -> None:
    if not table.columns:
        return
    if "image" not in table.columns:
        folder.problems.append(f"{name}:1: the header names no image column; no favourites read")
        return
    folder.favorites.update(row.values["image"] for row in table.rows if row.values["image"] not in ("", "None"))


def _files(path: Path, user: str) -> dict[str, Path]:
    """The 1.2 files of ``user`` by kind (``.csv`` before the older ``.txt``)."""
    found = {}
    config = path / f"{user}_config.txt"
    if config.is_file():
        found["config"] = config
    for stem in ("marks", "images", "favorites"):
        for suffix in (".csv", ".txt"):
            candidate = path / f"{user}_{stem}{suffix}"
            if candidate.is_file():
                found[stem] = candidate
                break
    return found


def _texts(files: dict[str, Path], encoding: str | None, problems: list[str]) -> tuple[dict[str, str], str]:
    """The files' text and the one encoding used for all: 1.2 writes every file of a
    folder in the same locale encoding, so one file that is not UTF-8 (an accented
    comment, say) settles it for the ASCII-only ones too."""
    raw: dict[str, bytes] = {}
    for kind, path in files.items():
        try:
            raw[kind] = path.read_bytes()
        except OSError as exc:
            problems.append(f"{path.name}: cannot be read ({exc.strerror}); skipped")
    if encoding is None:
        try:
            for data in raw.values():
                data.decode("utf-8-sig")
        except UnicodeDecodeError:
            encoding = fallback_encoding()
    texts = {}
    used = "utf-8"
    for kind, data in raw.items():
        texts[kind], used = decode_text(data, encoding)
    return texts, (used if raw else (encoding or "utf-8"))


def read_save_folder(path: Path | str, user: str | None = None, encoding: str | None = None) -> SaveFolder:
    """Everything one annotator's 1.2 save folder holds; raises LegacyError only when
    there is nothing to import."""
    path = Path(path)
    if not path.is_dir():
        raise LegacyError(f"{path}: no such folder")
    users = find_users(path)
    if user is None:
        if not users:
            raise LegacyError(f"{path}: no Image Marker save files here (<user>_config.txt, <user>_marks.csv, "
                              "<user>_images.csv)")
        if len(users) > 1:
            raise LegacyError(f"{path}: save files of several annotators ({', '.join(users)}); "
                              "choose one with --user")
        user = users[0]
    elif user not in users:
        raise LegacyError(f"{path}: no save files of {user!r} here"
                          + (f" (found: {', '.join(users)})" if users else ""))
    problems: list[str] = []
    files = _files(path, user)
    texts, used = _texts(files, encoding, problems)
    config_name = f"{user}_config.txt"
    config = parse_config(texts["config"], config_name, problems) if "config" in texts else DEFAULT_CONFIG
    folder = SaveFolder(path, user, config, files={p.name: used for k, p in files.items() if k in texts},
                        encoding=used, problems=problems)
    if "config" not in files:
        folder.notes.append(f"{config_name}: not found; Image Marker's defaults are used "
                            "(groups 1..9, categories 1..5, no limits)")
    for stem, reader in (("marks", read_marks), ("images", read_images), ("favorites", read_favorites)):
        if stem not in texts:
            continue
        name = files[stem].name
        table = read_table(texts[stem])
        for line in table.short_rows:
            folder.problems.append(f"{name}:{line}: fewer fields than the header; the missing ones are empty")
        reader(table, name, folder)
    imports = path / "imports"
    if imports.is_dir():
        folder.catalogs = sorted(p for p in imports.iterdir() if p.is_file() and not p.name.startswith("."))
    return folder
