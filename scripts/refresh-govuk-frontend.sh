#!/usr/bin/env bash
# Refresh the GOV.UK Frontend stylesheet the HTML report inlines, from the npm registry.
#
#   scripts/refresh-govuk-frontend.sh [VERSION]     (default: the latest release)
#
# What it keeps: dist/govuk/govuk-frontend.min.css, without the GDS Transport @font-face rules
# (the font is licensed for GOV.UK domains only, so the report falls back to Arial as the
# Design System does elsewhere), without url()s to the package's /assets (the report loads
# nothing) and without the source-map comment. The MIT licence text sits beside it
# (govuk-frontend-LICENSE.txt, from alphagov/govuk-frontend's LICENSE.txt: the npm package
# carries only the SPDX id); the version goes in govuk-frontend-VERSION.
set -euo pipefail
version=${1:-latest}
here=$(cd "$(dirname "$0")/.." && pwd)
assets=$here/tcop_lint/report/assets
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "govuk-frontend@$version" >/dev/null && tar -xzf govuk-frontend-*.tgz)
licence=$(node -p "require('$work/package/package.json').license")
[[ "$licence" == "MIT" ]] || { echo "govuk-frontend is no longer MIT ($licence): review before vendoring" >&2; exit 1; }
python3 - "$work/package/dist/govuk/govuk-frontend.min.css" "$assets/govuk-frontend.min.css" <<'PY'
import re, sys
css = open(sys.argv[1], encoding="utf-8").read()
css = re.sub(r"@font-face\{[^}]*\}", "", css)
css = re.sub(r"url\((?:\"|')?/assets/[^)]*\)", "none", css)
css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
assert "url(" not in css.replace("url(data:", ""), "the stylesheet still loads something"
open(sys.argv[2], "w", encoding="utf-8").write(css.strip() + "\n")
PY
node -p "require('$work/package/package.json').version" > "$assets/govuk-frontend-VERSION"
echo "govuk-frontend $(cat "$assets/govuk-frontend-VERSION") -> $assets/govuk-frontend.min.css ($(wc -c < "$assets/govuk-frontend.min.css") bytes)"
