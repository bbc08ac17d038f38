"""``imgmarker migrate``: an Image Marker 1.2 save folder becomes a campaign."""

from __future__ import annotations

import argparse
import codecs
import sys
from pathlib import Path

from imgmarker.commands.common import plugin_host, report_plugin_problems


def shown(path: Path) -> str:
    """A path as the user would type it here: relative below the current folder."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _report(result) -> None:
    from imgmarker.kernel.legacy.importer import describe_counts

    plan = result.plan
    files = ", ".join(plan.folder.files) or "no files"
    print(f"Image Marker 1.2 save folder {shown(plan.folder.path)} of {plan.folder.user!r} "
          f"({plan.folder.encoding}): {files}")
    print(f"images: {shown(plan.image_dir)} ({plan.image_count} files)")
    catalogs = len(plan.catalogs)
    print(f"imported: {describe_counts(result.counts)}, {catalogs} catalog{'s' * (catalogs != 1)}")
    print(result.sky.describe())
    for note in result.notes:
        print(f"note: {note}")
    for path in result.kept:
        print(f"kept the earlier file as {shown(path)}")
    if result.status == "unchanged":
        print(f"{shown(result.experiment_path.parent)}: already holds this import; nothing changed")
    else:
        print("wrote " + ", ".join(shown(p) for p in result.written))
    print(f"resume with: imgmarker run {shown(result.experiment_path)}")


def cmd_migrate(args: argparse.Namespace) -> int:
    from imgmarker.kernel.legacy.importer import ImportConflict, import_save_folder
    from imgmarker.kernel.legacy.savefolder import LegacyError

    if args.encoding:
        try:
            codecs.lookup(args.encoding)
        except LookupError:
            print(f"--encoding {args.encoding}: no such encoding", file=sys.stderr)
            return 2
    save_dir = Path(args.save_dir)
    target = Path(args.output) if args.output else save_dir / "imgmarker"
    host = plugin_host(args)
    report_plugin_problems(host)
    try:
        result = import_save_folder(save_dir, target, registry=host.registry,
                                    images=Path(args.images) if args.images else None, user=args.user,
                                    encoding=args.encoding, force=args.force)
    except ImportConflict as exc:
        print(exc, file=sys.stderr)
        return 1
    except LegacyError as exc:
        print(exc, file=sys.stderr)
        return 1
    for problem in result.problems:
        print(problem, file=sys.stderr)
    _report(result)
    from imgmarker.kernel.legacy.outputs import write_outputs

    for problem in write_outputs(result, host):
        print(problem, file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("migrate", help="turn an Image Marker 1.2 save folder into a campaign",
                       description="Read SAVE_DIR (an Image Marker 1.2 save folder: <user>_config.txt, "
                                   "<user>_marks.csv, <user>_images.csv, <user>_favorites.csv, imports/) and write "
                                   "an experiment.yaml, its catalogs and the annotator's results, so that "
                                   "'imgmarker run' resumes where the annotator was. Marks keep their x, y; RA/Dec "
                                   "are recomputed from each image's WCS. Running it again changes nothing.")
    p.add_argument("save_dir", metavar="SAVE_DIR", help="the Image Marker 1.2 save folder")
    p.add_argument("-o", "--output", metavar="EXPERIMENT_DIR",
                   help="where to write the campaign (default: SAVE_DIR/imgmarker)")
    p.add_argument("--images", metavar="DIR", help="the image folder, when the one in <user>_config.txt "
                                                   "does not exist on this machine")
    p.add_argument("--user", help="whose save files to import, when SAVE_DIR holds several annotators'")
    p.add_argument("--encoding", help="text encoding of the save files (default: UTF-8 if they decode as UTF-8, "
                                      "else the locale's or cp1252)")
    p.add_argument("--force", action="store_true",
                   help="replace files of an earlier import that differ (they are kept beside the new ones)")
    p.add_argument("--no-plugin", metavar="NAME", action="append", default=[],
                   help="do not load the plugin NAME (repeatable)")
    p.set_defaults(func=cmd_migrate)
