#!/bin/sh
# Makes styles/output-intent.icc, the default theme's CMYK output profile for PDF/X (docs/pdf.md, "Print shop").
# It is built once and committed; nothing runs this at build or test time.
#   Input:  FOGRA39L.ti3, FOGRA's characterization data for ISO 12647-2 coated offset (Debian's icc-profiles-free;
#           Kai-Uwe Behrmann, Zlib licence).
#   Tool:   ArgyllCMS colprof (Debian's argyll).
# The profile's model is "FOGRA39": WeasyPrint names the output intent's condition after it.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp /usr/share/color/icc/FOGRA39L.ti3 "$work/"
(cd "$work" && colprof -ql -kr -S /usr/share/color/icc/sRGB.icc -A "pubconv" -M "FOGRA39" \
    -D "Coated FOGRA39 (ISO 12647-2:2004), made from the FOGRA39L characterization data" \
    -C "No copyright. Characterization data FOGRA39L.ti3: Kai-Uwe Behrmann, Zlib licence" FOGRA39L)
cp "$work/FOGRA39L.icc" "$(dirname "$0")/../styles/output-intent.icc"
