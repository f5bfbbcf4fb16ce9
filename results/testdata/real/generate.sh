#!/bin/sh
# Regenerates the real-tool fixtures in this directory: installs the pinned
# packages from the npm registry into a temporary directory (cypress-cloud
# needs the cypress package present; its binary is not downloaded), runs gen.js
# there and copies the bytes out. Needs node and npm; the tests only read
# the committed output.
#
#   results/testdata/real/generate.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
out="$work/out"
project="$work/project"
mkdir -p "$out/tmp" "$project"
printf 'module.exports = { projectId: "Xy12Ab", recordKey: "unused" };\n' >"$project/currents.config.js"
cp "$here/gen.js" "$work/gen.js"
cd "$work"
npm init -y >/dev/null
CYPRESS_INSTALL_BINARY=0 npm install --no-audit --no-fund --ignore-scripts --save-exact \
	mocha@11.8.0 mocha-junit-reporter@2.2.1 mochawesome@8.1.1 mochawesome-report-generator@6.3.2 \
	cypress-cloud@1.13.1 cypress-multi-reporters@2.0.5 cypress@12.17.4 >/dev/null
# The controller's zone (mochawesome's [datetime] is local time); no colour:
# the runner log is redirected, not a terminal.
(cd "$project" && NODE_PATH="$work/node_modules" TZ=America/New_York FORCE_COLOR=0 NO_COLOR=1 node "$work/gen.js" "$out" >"$out/tmp/reboot-real.log")
# The temporary project path the tools print becomes the controller's tree.
sed -i -e "s#$project#/root/cdc-e2e-cyp-12.17.4#g" "$out/tmp/reboot-real.log"
mkdir -p "$out/atvm"
cp -Rp "$project/cypress" "$out/atvm/"
find "$out/atvm" -name '*.html' -exec sed -i "s#$project#/root/cdc-e2e-cyp-12.17.4#g" {} +
dest="$here/reboot-5vm"
rm -rf "$dest/atvm" "$dest/tmp" "$dest/generated-times.json"
mkdir -p "$dest"
cp -R "$out/atvm" "$out/tmp" "$dest/"
rm -rf "$dest/atvm/cypress/cmcReporter/mochawesome/assets"
mv "$out/mtimes.json" "$dest/mtimes.json"
{
	echo "# Written by generate.sh with these packages from the npm registry:"
	npm ls --depth=0 --parseable --long 2>/dev/null | sed -n 's#.*node_modules/##p' | sort
	echo "node $(node --version)"
} >"$dest/PROVENANCE"
