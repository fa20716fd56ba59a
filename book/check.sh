#!/usr/bin/env bash
# Builds the book and fails on what mdBook 0.5 only warns about, or lets pass:
#   - any WARN or ERROR line from `mdbook build` (a missing include file is
#     only an ERROR line there, with exit status 0);
#   - a relative link to a page that does not exist, or to a #fragment that is
#     no heading id of that page (mdBook does not check links at all);
#   - an include whose anchor is not in the included file (mdBook then
#     includes nothing, without a word); for the listings preprocessor's
#     {{#starter}} and {{#solution}}, the anchor must be in the solution file;
#   - an exercise's answer in view, a marker line in view, a lesson chapter
#     whose table of checks differs from its lesson.toml or that lacks its
#     questions (book/check-content.py says what each of these means).
# Usage: bash book/check.sh   (from anywhere; uses ~/.cargo/bin/mdbook or PATH)
set -euo pipefail
book=$(cd "$(dirname "$0")" && pwd)
mdbook=$HOME/.cargo/bin/mdbook
[ -x "$mdbook" ] || mdbook=mdbook
bad=0
complain() { echo "book: $*" >&2; bad=1; }

log=$("$mdbook" build "$book" 2>&1) || { echo "$log" >&2; exit 1; }
if grep -E 'WARN|ERROR' <<<"$log" >&2; then complain "mdbook build printed warnings or errors (above)"; fi

cd "$book/src"
while IFS= read -r page; do
  dir=$(dirname "$page")
  # Links: ](target) with a relative target.
  while IFS= read -r target; do
    case "$target" in http://* | https://* | mailto:* | "") continue ;; esac
    file=${target%%#*} frag=
    [ "$file" != "$target" ] && frag=${target#*#}
    if [ -z "$file" ]; then html="$book/build/${page%.md}.html"
    else
      [ -f "$dir/$file" ] || { complain "$page: link to a missing file: $target"; continue; }
      html="$book/build/$(realpath -m --relative-to=. "$dir/${file%.md}").html"
    fi
    if [ -n "$frag" ] && ! grep -q "id=\"$frag\"" "$html" 2>/dev/null; then
      complain "$page: link to a missing heading: $target"
    fi
  done < <(grep -o '](\([^)]*\))' "$page" | sed 's/^](//; s/)$//')
  # Includes with an anchor: {{#include PATH:ANCHOR}}.
  while IFS= read -r inc; do
    path=${inc%%:*} anchor=${inc#*:}
    [ "$path" = "$inc" ] && continue
    case "$anchor" in *[!A-Za-z0-9_-]*) continue ;; esac # a line range, not an anchor
    [ -f "$dir/$path" ] || { complain "$page: include of a missing file: $path"; continue; }
    grep -q "ANCHOR: *$anchor\b" "$dir/$path" || complain "$page: anchor '$anchor' not in $path"
  done < <(grep -o '{{#include [^}]*}}' "$page" | sed 's/^{{#include //; s/}}$//')
  # {{#starter PATH:ANCHOR}} (PATH in lessons/ or kmods/) and
  # {{#solution PATH:ANCHOR}} (PATH in solutions/): the anchors are in the
  # solution file (starter files have none).
  while IFS= read -r inc; do
    kind=${inc%% *} rest=${inc#* }
    path=${rest%%:*} anchor=${rest#*:}
    [ "$path" = "$rest" ] && anchor=
    sol=$(realpath -m --relative-to="$book/.." "$dir/$path")
    [ "$kind" = starter ] && sol=solutions/$sol
    [ -f "$book/../$sol" ] || { complain "$page: {{#$kind}} of a file no solution makes: $path"; continue; }
    [ -z "$anchor" ] || grep -q "ANCHOR: *$anchor\b" "$book/../$sol" || complain "$page: anchor '$anchor' not in $sol"
  done < <(grep -o '{{#\(starter\|solution\) [^}]*}}' "$page" | sed 's/^{{#//; s/}}$//')
  # Solution files carry exercise markers: {{#solution}} shows them without.
  if grep -q '{{#include [^}]*solutions/\(lessons\|kmods\)/' "$page"; then
    complain "$page: include solutions/ files with {{#solution PATH:ANCHOR}}, which hides the exercise markers"
  fi
  # The starter files carry no anchors: an anchored {{#include}} of one finds nothing.
  if grep -q '{{#include [^}]*\.\./\(lessons\|kmods\)/[^}]*:' "$page"; then
    complain "$page: starter files have no anchors: show them with {{#starter PATH:ANCHOR}}"
  fi
done < <(find . -name '*.md' | sed 's|^\./||')

python3 "$book/check-content.py" "$book/.." || bad=1

# Listings still to be added by whoever writes their code (a note, not a failure).
# (grep finds none: exit 1, which pipefail would make the script's.)
todo=$( (grep -rc '<!-- LISTING: ' . || true) | awk -F: '{n += $2} END {print n + 0}')
[ "$todo" = 0 ] || echo "book: note: $todo listing(s) still to add: grep -rn '<!-- LISTING: ' book/src" >&2

[ $bad = 0 ] && echo "book: built, links, includes and listings check out"
exit $bad
