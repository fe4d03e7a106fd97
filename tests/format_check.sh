#!/bin/sh
# Every C source of the project is formatted as .clang-format says
# (clang-format 14 as in Debian 12; scripts/test installs it).
cd "$(dirname "$0")/.." || exit 1
if ! command -v clang-format >/dev/null 2>&1; then
    echo "format: clang-format is not installed: skipped (scripts/test installs it)"
    exit 77
fi
files=$(git ls-files 'include/*.[ch]' 'lib/*.[ch]' 'cmd/*.[ch]' 'tests/*.[ch]' 'bench/*.[ch]' 2>/dev/null)
[ -n "$files" ] || files=$(find include lib cmd tests bench -name '*.[ch]')
# shellcheck disable=SC2086
if ! clang-format --dry-run --Werror $files; then
    echo "format: run clang-format -i on the files above"
    exit 1
fi
echo "format: $(echo "$files" | wc -w) files formatted"
