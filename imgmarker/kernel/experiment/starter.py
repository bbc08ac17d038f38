"""The commented starter experiment written by ``imgmarker init``.

The schema travels with the experiment (a file beside it, named relatively in the
editor comment), so whoever receives the folder gets completion and checks in their
editor without imgmarker installed at the same place, or at all.
"""

from __future__ import annotations

#: the JSON Schema written beside a starter experiment, for editors
SCHEMA_FILE = "experiment.schema.json"

STARTER_EXPERIMENT = """\
# yaml-language-server: $schema=./{schema_file}
# imgmarker experiment: share this file (and {schema_file}, for editors) with every
# annotator of the campaign. Reference of every key: `imgmarker schema --markdown`.
# Relative paths are relative to this file.
schema_version: 1
name: {name}
instructions: |
  Mark the brightest galaxy of each cluster with key 1 (or a left click).
  Put each image in a category with Ctrl+1..Ctrl+3; F flags a favourite.

images:
  directory: images        # folder with the images (or use `list: files.txt`)
  recursive: false         # also look in sub-folders
  # patterns: ["*.fits"]   # default: every suffix an installed reader supports

order:
  mode: shuffled           # sorted | shuffled | per-annotator
  seed: 1                  # the same seed gives every annotator the same order

groups:                    # mark groups, on keys 1..9 unless `key` is given
  - name: BCG
    color: "#E69F00"
    shape: circle
    size: 20               # diameter
    size_unit: px          # px | arcsec
    max: 1                 # 1: a new mark replaces the old one; null: unlimited
  - name: Star
    color: "#56B4E9"
    shape: cross
    max: null

categories:
  exclusive: true          # one category per image
  items:
    - name: Cluster
    - name: No cluster
    - name: Bad image

display:
  interval: zscale         # minmax | zscale | percentile | manual
  stretch: linear          # linear | log | sqrt | asinh | power | histeq
  colormap: gray
  blur: 0

# catalogs:                # overlay positions from files
#   - path: candidates.csv
#     color: "#00FFFF"

consistency:
  fraction: 0.0            # e.g. 0.05 shows 5% of the images a second time

output:
  directory: results
  writers: [csv]           # csv | votable | ds9 | any installed writer
  # user: alice            # default: your login name

controls:
  left_click_group: BCG
  middle_click: center     # center | center-and-move-cursor | none
  # keys:
  #   next_image: Tab
"""
